package schema

// Source returns the embedded CUE schema (supctl.cue), the contract of a
// config repo: supctl schema --format cue prints it, and the JSON Schema
// for editors is generated from it.
func Source() []byte { return source }
