resource "x" "y" {
  description = <<-EOT
    The circuit for ${var.site}.
      Second line keeps its indent.
    EOT
  name        = "y"
}
