package vigil.container.volume_types_test

import data.vigil.container.volume_types

test_nfs_denied if {
	r := volume_types.deny with input as {"kind": "container", "container": {"name": "api", "kubernetes": {"pod": "api-1", "volume_types": ["nfs", "configMap", "hostPath"]}}}
	r == {
		"container \"api\" belongs to pod \"api-1\", which uses volume type \"nfs\"",
		"container \"api\" belongs to pod \"api-1\", which uses volume type \"hostPath\"",
	}
}

test_restricted_types_allowed if {
	r := volume_types.deny with input as {"kind": "container", "container": {"name": "api", "kubernetes": {"pod": "api-1", "volume_types": ["configMap", "secret", "projected", "persistentVolumeClaim", "emptyDir", "image"]}}}
	count(r) == 0
}

test_docker_allowed if {
	r := volume_types.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null}}
	count(r) == 0
}
