locals {
  text = <<EOT
before ${join(",",
[for s in var.sites: s])} after
EOT
  other = 2
}
