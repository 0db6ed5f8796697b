package schema

import (
	"encoding/json"
	"testing"
)

func TestCompleterFillsDefaultsAndLabels(t *testing.T) {
	c := NewCompleter()
	got, err := c.Site("P01", []byte(`{"siteServer": "cm01.example.com", "servers": {"cm01.example.com": {"wsus": {"version": "3.2.7600.283", "website": "custom"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var s Site
	if err := json.Unmarshal(got, &s); err != nil {
		t.Fatal(err)
	}
	w := s.Servers["cm01.example.com"].WSUS
	if s.Code != "P01" || s.Mode != "mixed" || s.Product != "cm2007-sp2" || s.Servers["cm01.example.com"].FQDN != "cm01.example.com" ||
		w.InstallType != "server" || w.Ports != (Ports{8530, 8531}) || s.ClientAgent.ScanSchedule.Days != 7 || !s.ClientAgent.Enabled {
		t.Fatalf("completed site: %s", got)
	}
	if _, err := c.Site("P01", []byte(`{"siteServer": "cm01.example.com", "mode": "strict"}`)); err == nil {
		t.Fatal("a mode the schema rejects completed")
	}
}

func BenchmarkCompleterSite(b *testing.B) {
	c := NewCompleter()
	data := []byte(`{"siteServer": "cm01.example.com", "servers": {"cm01.example.com": {"wsus": {"version": "3.2.7600.283", "website": "custom"}}}, "softwareUpdatePoint": {"active": "cm01.example.com", "classifications": ["a"]}}`)
	for b.Loop() {
		if _, err := c.Site("P01", data); err != nil {
			b.Fatal(err)
		}
	}
}
