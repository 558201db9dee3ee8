Feature: ExpressRoute circuits in a peerform plan
  In order to review circuit changes with the tools we already use
  As a network engineer
  I want peerform's plan JSON to satisfy terraform-compliance policies

  Scenario: Every circuit names its peering location
    Given I have azurerm_express_route_circuit defined
    Then it must contain peering_location

  Scenario: Every circuit names its service provider
    Given I have azurerm_express_route_circuit defined
    Then it must contain service_provider_name

  Scenario: Circuits are not created with classic operations allowed
    Given I have azurerm_express_route_circuit defined
    Then it must contain allow_classic_operations
    And its value must be false

  Scenario: Circuits use a known SKU tier
    Given I have azurerm_express_route_circuit defined
    When it has sku
    Then it must contain tier
    And its value must match the "^(Local|Standard|Premium)$" regex

  Scenario: Circuits have a bandwidth of at least 50 Mbps
    Given I have azurerm_express_route_circuit defined
    Then it must contain bandwidth_in_mbps
    And its value must be greater than 49

  Scenario: Circuits are tagged with an owner
    Given I have azurerm_express_route_circuit defined
    Then it must contain tags
    And it must contain owner
