locals {
  a = [1, 2, 3]
  b = ["x", "y"]
  c = [
    "one",
    "two",
  ]
  d = []
  e = []
}
