"""The official Azure SDK for Python (azure-mgmt-network) against `peerform emulator serve`.

Creates an ExpressRoute circuit, its private peering and a route filter, reads them back, deletes
them and checks they are gone. Run by tests/integration/arm.rs with PEERFORM_ARM_ENDPOINT,
PEERFORM_SUBSCRIPTION and PEERFORM_RESOURCE_GROUP set; prints "sdk roundtrip ok" on success.
"""

import os
import sys
import time

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as m


class StaticCredential:
    """A token credential; the emulator accepts any bearer token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("emulator-token", int(time.time()) + 3600)


class BearerOverPlainHttp(SansIOHTTPPolicy):
    """The SDK refuses bearer tokens over http; the emulator is on loopback, so add it ourselves."""

    def on_request(self, request):
        request.http_request.headers["Authorization"] = "Bearer emulator-token"


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


def main():
    endpoint = os.environ["PEERFORM_ARM_ENDPOINT"]
    subscription = os.environ["PEERFORM_SUBSCRIPTION"]
    rg = os.environ["PEERFORM_RESOURCE_GROUP"]
    client = NetworkManagementClient(
        StaticCredential(),
        subscription,
        base_url=endpoint,
        authentication_policy=BearerOverPlainHttp(),
        polling_interval=0,
    )

    circuit = m.ExpressRouteCircuit(
        location="westus",
        sku=m.ExpressRouteCircuitSku(name="Standard_MeteredData", tier="Standard", family="MeteredData"),
        properties=m.ExpressRouteCircuitPropertiesFormat(
            service_provider_properties=m.ExpressRouteCircuitServiceProviderProperties(
                service_provider_name="Equinix", peering_location="Silicon Valley", bandwidth_in_mbps=200
            )
        ),
    )
    created = client.express_route_circuits.begin_create_or_update(rg, "sdk-er", circuit).result()
    check(created.properties.provisioning_state == "Succeeded", "circuit provisioningState")

    peering = m.ExpressRouteCircuitPeering(
        properties=m.ExpressRouteCircuitPeeringPropertiesFormat(
            peering_type="AzurePrivatePeering",
            peer_asn=65010,
            vlan_id=100,
            primary_peer_address_prefix="192.168.16.0/30",
            secondary_peer_address_prefix="192.168.16.4/30",
        )
    )
    client.express_route_circuit_peerings.begin_create_or_update(
        rg, "sdk-er", "AzurePrivatePeering", peering
    ).result()

    route_filter = m.RouteFilter(
        location="westus",
        properties=m.RouteFilterPropertiesFormat(
            rules=[
                m.RouteFilterRule(
                    name="allow-exchange",
                    properties=m.RouteFilterRulePropertiesFormat(
                        access="Allow", route_filter_rule_type="Community", communities=["12076:5010"]
                    ),
                )
            ]
        ),
    )
    client.route_filters.begin_create_or_update(rg, "sdk-rf", route_filter).result()

    # Read back.
    got = client.express_route_circuits.get(rg, "sdk-er")
    check(got.properties.service_provider_provisioning_state == "Provisioned", "provider provisioned the circuit")
    check(bool(got.properties.service_key), "circuit has a service key")
    check(len(got.properties.peerings) == 1, "circuit embeds its peering")
    got_peering = client.express_route_circuit_peerings.get(rg, "sdk-er", "AzurePrivatePeering")
    check(got_peering.properties.vlan_id == 100, "peering VLAN")
    check(got_peering.properties.azure_asn == 12076, "peering Azure ASN")
    got_filter = client.route_filters.get(rg, "sdk-rf")
    check(got_filter.properties.rules[0].properties.communities == ["12076:5010"], "route filter rule")
    names = [c.name for c in client.express_route_circuits.list(rg)]
    check(names == ["sdk-er"], "list circuits: %r" % names)

    # A server-side rule surfaces as the SDK's HttpResponseError with ARM's code.
    try:
        client.express_route_circuits.begin_delete(rg, "sdk-er").result()
        check(False, "deleting a circuit with a peering must fail")
    except HttpResponseError as e:
        check(e.error is not None and e.error.code == "CircuitHasPeerings", "error code: %r" % (e.error,))

    # Delete and check they are gone.
    client.express_route_circuit_peerings.begin_delete(rg, "sdk-er", "AzurePrivatePeering").result()
    client.route_filters.begin_delete(rg, "sdk-rf").result()
    client.express_route_circuits.begin_delete(rg, "sdk-er").result()
    for getter in (
        lambda: client.express_route_circuits.get(rg, "sdk-er"),
        lambda: client.route_filters.get(rg, "sdk-rf"),
    ):
        try:
            getter()
            check(False, "a deleted object still reads")
        except ResourceNotFoundError:
            pass
    print("sdk roundtrip ok")


if __name__ == "__main__":
    main()
