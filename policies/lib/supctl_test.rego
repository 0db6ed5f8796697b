package supctl.lib_test

import data.supctl.lib
import rego.v1

test_version_less if {
	lib.version_less("3.0.6000.1", "3.2.7600.283")
	lib.version_less("3.2.7600.282", "3.2.7600.283")
	lib.version_less("3.2.7600.283", "10.0.0.0")
	not lib.version_less("3.2.7600.283", "3.2.7600.283")
	not lib.version_less("6.2.9200.0", "3.2.7600.283")
}

test_group if {
	lib.group([]) == {}
	lib.group([["b", 2], ["a", 1], ["b", 3], ["c", 1], ["b", 2]]) == {"a": {1}, "b": {2, 3}, "c": {1}}
	lib.shared([["b", 2], ["a", 1], ["b", 3], ["c", 1], ["c", 1]]) == {"b": {2, 3}}
}
