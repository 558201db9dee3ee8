locals {
  a = 1.5e3
  b = 0.25
  c = 1e-3
  d = 100
}
