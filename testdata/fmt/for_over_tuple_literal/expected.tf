locals {
  a = [for x in [1, 2, 3] : x * 2]
  b = [for x in ["a", "b"] : x]
}
