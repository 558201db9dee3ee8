locals {
  script = <<EOT
#!/bin/sh
  echo "hello"
      indented as written
EOT
  after  = 1
}
