# leading file comment
// slash comment
/* block comment */
resource "azurerm_resource_group" "net" { # after the brace
  # before an attribute
  name     = "rg-net" # after an attribute
  location = "westeurope" // slash after
  /* inline block */ tags = {}
  list = [
    "a", # after an element
    # on its own line in a list
    "b",
  ]
  # before the closing brace
}
# trailing file comment
