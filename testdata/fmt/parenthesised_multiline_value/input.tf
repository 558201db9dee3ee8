locals {
  a = (
  1 + 2
  )
  long_name = (var.x
  )
}
