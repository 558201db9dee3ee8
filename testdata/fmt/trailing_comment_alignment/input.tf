locals {
  a = 1 # one
  bbb = 22 # two
  cc = "three" # three

  d = 4 # after a blank line
  eeeeee = 5     # five
}
