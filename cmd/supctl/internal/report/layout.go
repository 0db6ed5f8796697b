package report

import "slices"

// Sizes of the graph, in SVG user units (CSS pixels).
const (
	boxW    = 300 // a site's box
	boxH    = 112
	gapX    = 28 // between boxes of a row
	rowGap  = 64 // between rows: room for the arrows' labels
	margin  = 20 // around the graph
	perRow  = 6  // boxes per row before a level wraps
	maxText = 40 // characters of a name shown in a box
)

// graph is the laid-out hierarchy.
type graph struct {
	Width, Height int
	Nodes         []node
	Edges         []edge
}

// node is a site's box at X, Y (top left).
type node struct {
	site
	X, Y int
	// Class is the box's CSS class: its health, and "findings" when it has errors.
	Class string
}

// edge is the arrow from a child site to its parent, labelled with the
// upstream URL the child synchronizes from.
type edge struct {
	From, To       string
	X1, Y1, X2, Y2 int // child's top centre → parent's bottom centre
	LX, LY         int // label position: right of the arrow, above the child
	Label          string
	Served         string // "yes", "no", "unknown"
	Why            string
}

// layout places the sites level by level, parents above children: roots
// (no parent in the config) first, then their children in depth-first
// order so that siblings sit together; a level wider than perRow wraps.
func layout(sites []site) graph {
	idx := map[string]int{}
	for i, s := range sites {
		idx[s.Code] = i
	}
	children := map[string][]string{}
	var roots []string
	for _, s := range sites {
		if _, ok := idx[s.Parent]; ok && s.Parent != s.Code {
			children[s.Parent] = append(children[s.Parent], s.Code)
		} else {
			roots = append(roots, s.Code)
		}
	}
	// Depth-first from the roots, each site once (a parent cycle, which vet
	// reports, leaves its sites unreached: they become roots below).
	depth := map[string]int{}
	var order []string
	var walk func(code string, d int)
	walk = func(code string, d int) {
		if _, seen := depth[code]; seen {
			return
		}
		depth[code] = d
		order = append(order, code)
		kids := children[code]
		slices.Sort(kids)
		for _, k := range kids {
			walk(k, d+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	for _, s := range sites {
		walk(s.Code, 0)
	}
	levels := map[int][]string{}
	maxDepth := 0
	for _, c := range order {
		levels[depth[c]] = append(levels[depth[c]], c)
		maxDepth = max(maxDepth, depth[c])
	}
	// Rows: each level split into rows of at most perRow boxes.
	var rows [][]string
	for d := 0; d <= maxDepth; d++ {
		l := levels[d]
		for len(l) > 0 {
			n := min(perRow, len(l))
			rows = append(rows, l[:n])
			l = l[n:]
		}
	}
	widest := 0
	for _, r := range rows {
		widest = max(widest, len(r))
	}
	// At least two columns wide: an arrow's label runs right of its arrow,
	// up to a box's width.
	g := graph{Width: 2*margin + max(2, widest)*boxW + max(1, widest-1)*gapX}
	pos := map[string][2]int{}
	for i, r := range rows {
		w := len(r)*boxW + (len(r)-1)*gapX
		x := (g.Width - w) / 2
		y := margin + rowGap/2 + i*(boxH+rowGap)
		for _, c := range r {
			pos[c] = [2]int{x, y}
			s := sites[idx[c]]
			class := "h-" + healthClass(s.Health)
			if s.Errors > 0 {
				class += " findings"
			}
			g.Nodes = append(g.Nodes, node{site: s, X: x, Y: y, Class: class})
			x += boxW + gapX
		}
	}
	g.Height = margin + rowGap/2 + len(rows)*(boxH+rowGap)
	for _, n := range g.Nodes {
		p, ok := pos[n.Parent]
		if !ok || n.Parent == n.Code {
			continue
		}
		label := n.Upstream
		if label == "" {
			label = "no software update point"
		}
		cx := n.X + boxW/2
		g.Edges = append(g.Edges, edge{
			From: n.Code, To: n.Parent,
			X1: cx, Y1: n.Y, X2: p[0] + boxW/2, Y2: p[1] + boxH + 2,
			LX: cx + 8, LY: n.Y - rowGap/2 - 3, Label: clip(label, 46), Served: n.UpstreamOK, Why: n.UpstreamIs,
		})
	}
	return g
}

func healthClass(h string) string {
	switch h {
	case "healthy":
		return "ok"
	case "unhealthy":
		return "bad"
	case "not serving":
		return "idle"
	}
	return "unknown"
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
