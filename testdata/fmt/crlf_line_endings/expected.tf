locals {
  a   = 1
  bbb = 2 # note

  c = [
    1,
  ]
}
