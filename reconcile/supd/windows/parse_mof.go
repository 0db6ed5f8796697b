package windows

import (
	"fmt"
	"strconv"
	"strings"
)

// WMI instance text: the MOF form ManagementBaseObject.GetText
// (TextFormat.Mof) writes, e.g.
//
//	instance of SMS_SCI_SysResUse
//	{
//		NetworkOSPath = "\\\\SUP01.corp.example.com";
//		Props = {
//	instance of SMS_EmbeddedProperty
//	{
//		PropertyName = "SSLWSUS";
//		Value = 1;
//	}};
//		RoleName = "SMS Software Update Point";
//	};
//
// Source: .NET Framework ManagementBaseObject.GetText / TextFormat.Mof and
// the MOF language reference (instance declarations). Values are strings,
// numbers, TRUE/FALSE, NULL, {arrays} and embedded instances.

// mofInstance is one parsed instance.
type mofInstance struct {
	Class string
	Props map[string]any // string, int64, bool, nil, []any, *mofInstance
}

// String returns the named property as a string ("" when absent or NULL).
func (m *mofInstance) String(name string) string {
	switch v := m.Props[name].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// parseMOFInstances parses zero or more instances.
func parseMOFInstances(text string) ([]*mofInstance, error) {
	p := &mofParser{s: text}
	var out []*mofInstance
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return out, nil
		}
		inst, err := p.instance()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() == ';' {
			p.i++
		}
		out = append(out, inst)
	}
}

type mofParser struct {
	s string
	i int
}

func (p *mofParser) errorf(format string, a ...any) error {
	line := 1 + strings.Count(p.s[:p.i], "\n")
	col := p.i - strings.LastIndex(p.s[:p.i], "\n")
	return fmt.Errorf("WMI instance text %d:%d: %s", line, col, fmt.Sprintf(format, a...))
}

func (p *mofParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// skipSpace skips white space and [qualifier] blocks.
func (p *mofParser) skipSpace() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			p.i++
		case c == '[':
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 0 {
				return
			}
			p.i += end + 1
		default:
			return
		}
	}
}

func (p *mofParser) word() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c == '.' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *mofParser) instance() (*mofInstance, error) {
	if kw := p.word(); !strings.EqualFold(kw, "instance") {
		return nil, p.errorf("want \"instance of\", found %q", kw)
	}
	p.skipSpace()
	if kw := p.word(); !strings.EqualFold(kw, "of") {
		return nil, p.errorf("want \"of\" after \"instance\", found %q", kw)
	}
	p.skipSpace()
	class := p.word()
	if class == "" {
		return nil, p.errorf("missing class name")
	}
	p.skipSpace()
	if p.peek() != '{' {
		return nil, p.errorf("want { after instance of %s", class)
	}
	p.i++
	inst := &mofInstance{Class: class, Props: map[string]any{}}
	for {
		p.skipSpace()
		if p.peek() == '}' {
			p.i++
			return inst, nil
		}
		name := p.word()
		if name == "" {
			return nil, p.errorf("want a property name or } in instance of %s", class)
		}
		p.skipSpace()
		if p.peek() != '=' {
			return nil, p.errorf("want = after property %s", name)
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ';' {
			return nil, p.errorf("want ; after the value of %s", name)
		}
		p.i++
		inst.Props[name] = v
	}
}

func (p *mofParser) value() (any, error) {
	p.skipSpace()
	switch c := p.peek(); {
	case c == '"':
		return p.str()
	case c == '{':
		p.i++
		var items []any
		for {
			p.skipSpace()
			if p.peek() == '}' {
				p.i++
				return items, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			p.skipSpace()
			switch p.peek() {
			case ',':
				p.i++
			case '}':
			default:
				return nil, p.errorf("want , or } in an array")
			}
		}
	case c == '-' || '0' <= c && c <= '9':
		w := p.word()
		n, err := strconv.ParseInt(w, 0, 64)
		if err != nil {
			// Reals and datetimes are kept as text.
			return w, nil //nolint:nilerr // not a number we use
		}
		return n, nil
	default:
		start := p.i
		w := p.word()
		switch strings.ToUpper(w) {
		case "TRUE":
			return true, nil
		case "FALSE":
			return false, nil
		case "NULL":
			return nil, nil
		case "INSTANCE":
			p.i = start
			return p.instance()
		}
		return nil, p.errorf("unexpected %q", w)
	}
}

func (p *mofParser) str() (string, error) {
	var b strings.Builder
	for {
		p.i++ // opening quote
		for {
			if p.i >= len(p.s) {
				return "", p.errorf("unterminated string")
			}
			c := p.s[p.i]
			if c == '"' {
				p.i++
				break
			}
			if c == '\\' && p.i+1 < len(p.s) {
				p.i++
				switch e := p.s[p.i]; e {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case 'r':
					b.WriteByte('\r')
				default:
					b.WriteByte(e)
				}
				p.i++
				continue
			}
			b.WriteByte(c)
			p.i++
		}
		// MOF concatenates adjacent string literals.
		save := p.i
		p.skipSpace()
		if p.peek() != '"' {
			p.i = save
			return b.String(), nil
		}
	}
}
