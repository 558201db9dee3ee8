locals {
  a=1
}
