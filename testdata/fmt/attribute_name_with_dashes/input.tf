locals {
  a-b = 1
  a_very-long-name = 2
  x = a-b
}
