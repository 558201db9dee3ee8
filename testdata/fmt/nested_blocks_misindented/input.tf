resource "azurerm_virtual_network_gateway" "gw" {
name = "gw"
      ip_configuration {
  name = "default"
          public_ip_address_id = azurerm_public_ip.gw.id
    }
  vpn_client_configuration {
address_space = ["10.2.0.0/24"]
root_certificate {
name = "root"
public_cert_data = "MIIC"
}
}
}
