/** A rule file as an author writes it: METADATA block, package and body. */
export function ruleText(id: string, kind: string, pkg: string, body: string, maturity = 'stable'): string {
  return `# METADATA
# title: Rule ${id}
# scope: package
# custom:
#   id: ${id}
#   kind: ${kind}
#   severity: HIGH
#   maturity: ${maturity}
#   recommended_action: Fix it.
#   frameworks:
#     cis-docker: ["5.5"]
package ${pkg}

${body}
`;
}
