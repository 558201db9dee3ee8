locals {
  small = { a = 1, b = 2 }
  multi = {
    name         = "x"
    longer_name  = "y"
    "quoted key" = 3
  }
  colons = { a : 1, b : 2 }
  empty  = {}
  spaced = {}
}
