moved {
  from = azurerm_subnet.old
  to   = azurerm_subnet.new
}
import {
  to = azurerm_resource_group.net
  id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
}
removed {
  from = azurerm_subnet.gone
  lifecycle {
    destroy = false
  }
}
