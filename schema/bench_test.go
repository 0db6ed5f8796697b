package schema

import "testing"

func benchLoad(b *testing.B, from int) {
	dir := writeSites(b, 1000, -1)
	saved := parallelFrom
	parallelFrom = from
	defer func() { parallelFrom = saved }()
	for b.Loop() {
		r, err := Load([]string{dir})
		if err != nil || r.Config == nil {
			b.Fatal(err, r.Problems)
		}
	}
}

func BenchmarkLoad1000Serial(b *testing.B)   { benchLoad(b, 1<<30) }
func BenchmarkLoad1000Parallel(b *testing.B) { benchLoad(b, 200) }
