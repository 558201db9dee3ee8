locals {
  text = <<EOT
Site ${var.site} uses ${upper(var.provider)}.
%{if var.enabled}Enabled%{else}Disabled%{endif}
EOT
}
