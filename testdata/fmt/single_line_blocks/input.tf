resource "a" "b" { name = "x" }
lifecycle_holder "x" {
  lifecycle {ignore_changes = [tags]}
  timeouts {   create = "60m"   }
}
