locals {
  a        = 1
  bbbbbbbb = 2

  cc = 3
  d  = 4
}
