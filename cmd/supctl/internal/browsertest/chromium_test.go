package browsertest

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// chromiumNames are the names the Chromium binary goes by.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// chromium returns the path of the Chromium binary; the test fails when
// there is none.
func chromium(t testing.TB) string {
	t.Helper()
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Fatalf("no Chromium on $PATH (looked for %v): install it, e.g. apt-get install -y chromium (.ci/run does)", chromiumNames)
	return ""
}

// browse runs a fresh headless Chromium (its own profile, no network
// services of its own) on url with the extra flags and returns its stdout.
// The context only guards against a hung browser.
func browse(t testing.TB, url string, flags ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
		"--user-data-dir=" + t.TempDir(),
	}, flags...)
	args = append(args, url)
	cmd := exec.CommandContext(ctx, chromium(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// dumpDOM returns the DOM of url as Chromium rendered it.
func dumpDOM(t testing.TB, url string) string {
	t.Helper()
	dom := browse(t, url, "--dump-dom")
	if len(dom) == 0 {
		t.Fatalf("chromium dumped no DOM for %s", url)
	}
	return string(dom)
}

// screenshot saves a PNG of url at width×height in path and checks that it
// is not blank: it must decode, and hold at least minColours distinct
// colours.
func screenshot(t testing.TB, url, path string, width, height, minColours int) {
	t.Helper()
	browse(t, url, "--screenshot="+path, "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height), "--hide-scrollbars")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() != width || b.Dy() != height {
		t.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), width, height)
	}
	colours := map[[4]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
		}
	}
	if len(colours) < minColours {
		t.Fatalf("screenshot %s looks blank: %d distinct colours, want at least %d", path, len(colours), minColours)
	}
	t.Logf("screenshot %s: %d distinct colours", path, len(colours))
}
