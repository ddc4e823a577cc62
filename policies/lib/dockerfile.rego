# METADATA
# title: Dockerfile helpers
# description: >-
#   The stages and instructions of a Dockerfile fact, and the shell commands its
#   RUN instructions execute (shell form, exec form and heredoc scripts).
# scope: package
# custom:
#   library: true
package vigil.lib.dockerfile

import data.vigil.lib.text

# name is how findings name the Dockerfile.
name := sprintf("Dockerfile %s", [text.quote(input.dockerfile.path)])

final_stage := input.dockerfile.stages[count(input.dockerfile.stages) - 1]

# final_lineage is the final stage, then the earlier stages it builds on, nearest first.
final_lineage := array.concat([final_stage], [input.dockerfile.stages[i] | some i in object.get(final_stage, "lineage", [])])

# last_in_lineage is the final stage's effective instruction of that keyword: the last
# one of the nearest stage of its lineage that has one.
last_in_lineage(keyword) := found[count(found) - 1] if {
	some n, stage in final_lineage
	found := [i | some i in stage.instructions; i.keyword == keyword]
	count(found) > 0
	every nearer in array.slice(final_lineage, 0, n) {
		not _has(nearer, keyword)
	}
}

_has(stage, keyword) if {
	some i in stage.instructions
	i.keyword == keyword
}

# instructions contains [stage, instruction] for every instruction of every stage.
instructions contains [stage, instruction] if {
	some stage in input.dockerfile.stages
	some instruction in stage.instructions
}

# run_commands contains [instruction, command]: what each RUN hands to its shell.
run_commands contains [instruction, command] if {
	some [_, instruction] in instructions
	instruction.keyword == "RUN"
	some command in _commands(instruction)
}

_commands(instruction) := {c |
	some c in array.concat(
		[_inline(instruction)],
		[h.content | some h in object.get(instruction, "heredocs", [])],
	)
	trim_space(c) != ""
}

_inline(instruction) := concat(" ", instruction.exec_form) if count(object.get(instruction, "exec_form", [])) > 0

else := instruction.arguments

# external_base is true for a stage built on an image rather than scratch or an earlier stage.
external_base(stage) if {
	stage.base_stage == ""
	lower(stage.base) != "scratch"
	stage.base != ""

	# A base given by an ARG without a default is known only at build time.
	not contains(stage.base, "$")
}

# short shortens a command for a message.
short(text) := substring(replace(text, "\n", " "), 0, 160)
