locals {
  a = <<EOT
x
EOT
  bbbbb = 1
  cc = 2
}
