resource "azurerm_policy_definition" "p" {
  name = "p"
  policy_rule = jsonencode(yamldecode(<<YAML
if:
  field: type
then:
  effect: deny
YAML
  ))
}
