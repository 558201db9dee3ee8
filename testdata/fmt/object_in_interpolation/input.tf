locals {
  a = "${ {a = 1}.a }"
  b = "x${{a=1}.a}"
}
