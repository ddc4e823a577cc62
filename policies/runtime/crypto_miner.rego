# METADATA
# title: Crypto-miner executed in a container
# description: >-
#   A process in a container looks like a cryptocurrency miner: a known miner binary
#   name (xmrig, minerd, cpuminer, ccminer, ethminer, ...) or miner arguments
#   (a stratum+tcp:// / stratum+ssl:// pool URL, --donate-level, cryptonight or
#   randomx algorithms). Resource hijacking is the most common payload of container
#   compromises.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-004
#   kind: process_exec
#   severity: CRITICAL
#   maturity: stable
#   recommended_action: Kill the container, rotate credentials it could reach, and find the entry point (exposed service, leaked API token, poisoned image).
#   frameworks:
#     mitre: ["T1496"]
package vigil.runtime.crypto_miner

import data.vigil.lib.event
import data.vigil.lib.paths
import data.vigil.lib.text

_miners := {
	"xmrig", "xmrig-notls", "xmr-stak", "xmr-stak-cpu", "minerd", "cpuminer", "cpuminer-multi",
	"ccminer", "cgminer", "bfgminer", "ethminer", "nbminer", "lolminer", "t-rex", "phoenixminer",
	"nanominer", "teamredminer", "srbminer-multi", "gminer", "nheqminer",
}

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	_looks_like_miner(p)
	msg := sprintf("crypto-miner %s (pid %d) running in container %s: %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), substring(concat(" ", p.args), 0, 200)])
}

_looks_like_miner(p) if lower(p.comm) in _miners

_looks_like_miner(p) if lower(paths.basename(p.exe)) in _miners

_looks_like_miner(p) if {
	some arg in p.args
	regex.match(`(?i)(stratum2?\+(tcp|ssl|tls)://|--donate-level|cryptonight|randomx|--coin[= ]monero)`, arg)
}
