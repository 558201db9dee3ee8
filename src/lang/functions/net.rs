//! The CIDR functions `cidrsubnet`, `cidrhost`, `cidrnetmask` and `cidrsubnets`, for IPv4 and IPv6,
//! with the arithmetic and messages of Terraform's (go-cidr's) implementation: prefixes parse as Go's
//! `ParseCIDR` reads them (host bits may be set and are masked off; IPv4 octets may carry leading
//! zeros), and `cidrsubnets` allocates consecutively with alignment exactly as Terraform does. All
//! address math is u128 within the address width, wrapping where Go's `Inc`/`Dec` wrap. Must not panic
//! on any shift or overflow.

use std::net::Ipv6Addr;

use super::{Ctx, invalid, take, want_int, want_number, want_string};
use crate::lang::Value;

/// An address prefix. `addr` holds `bits` significant bits (32 for IPv4, 128 for IPv6).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Prefix {
    addr: u128,
    bits: u32,
    len: u32,
}

impl Prefix {
    fn all_ones(self) -> u128 {
        if self.bits >= 128 {
            u128::MAX
        } else {
            (1u128 << self.bits) - 1
        }
    }

    /// The host part of a prefix of length `len` within this address width.
    fn host_mask(self, len: u32) -> u128 {
        if len >= self.bits {
            0
        } else {
            self.all_ones() >> len
        }
    }

    fn net_mask(self, len: u32) -> u128 {
        self.all_ones() & !self.host_mask(len)
    }

    fn with(self, addr: u128, len: u32) -> Prefix {
        Prefix {
            addr: addr & self.net_mask(len),
            bits: self.bits,
            len,
        }
    }

    fn contains(self, addr: u128) -> bool {
        addr & self.net_mask(self.len) == self.addr
    }

    fn protocol(self) -> &'static str {
        if self.bits == 32 { "IPv4" } else { "IPv6" }
    }
}

/// An address as Go prints it: dotted quad for IPv4 (and IPv4-mapped IPv6), RFC 5952 for IPv6.
fn show_addr(addr: u128, bits: u32) -> String {
    if bits == 32 {
        let [_, _, _, _, _, _, _, _, _, _, _, _, a, b, c, d] = addr.to_be_bytes();
        return format!("{a}.{b}.{c}.{d}");
    }
    let ip = Ipv6Addr::from(addr);
    match ip.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => ip.to_string(),
    }
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", show_addr(self.addr, self.bits), self.len)
    }
}

/// Go's IPv4 syntax before 1.17, which Terraform keeps: four decimal fields, leading zeros allowed.
fn parse_ipv4(text: &str) -> Option<u128> {
    let mut addr = 0u128;
    let mut fields = 0;
    for field in text.split('.') {
        if field.is_empty() || field.len() > 8 || !field.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: u32 = field.parse().ok()?;
        if value > 255 {
            return None;
        }
        addr = (addr << 8) | u128::from(value);
        fields += 1;
    }
    (fields == 4).then_some(addr)
}

/// Parse `address/length` into its network prefix (host bits cleared).
fn parse_cidr(ctx: &Ctx, text: &str) -> Result<Prefix, String> {
    let fail = || {
        format!(
            "invalid CIDR expression: invalid CIDR address: {}",
            if ctx.sensitive {
                "(sensitive value)"
            } else {
                text
            }
        )
    };
    let (address, length) = text.split_once('/').ok_or_else(fail)?;
    let (addr, bits) = match parse_ipv4(address) {
        Some(addr) => (addr, 32),
        None => (
            u128::from(address.parse::<Ipv6Addr>().map_err(|_| fail())?),
            128,
        ),
    };
    if length.is_empty() || length.len() > 3 || !length.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail());
    }
    let len: u32 = length.parse().map_err(|_| fail())?;
    if len > bits {
        return Err(fail());
    }
    let prefix = Prefix { addr, bits, len };
    Ok(prefix.with(addr, len))
}

/// A whole number argument that may exceed i64 (host and network numbers of IPv6 prefixes).
fn want_whole(value: &Value, param: &str) -> Result<i128, String> {
    let number = want_number(value, param)?;
    if number.fract() != 0.0 || !number.is_finite() {
        return Err(invalid(param, "value must be a whole number"));
    }
    if number.abs() >= 1.7e38 {
        return Err(invalid(param, "value is too large"));
    }
    Ok(number as i128)
}

pub(super) fn cidrsubnet(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [prefix, newbits, netnum] = take(args);
    let text = want_string(&prefix, "prefix")?;
    let newbits = want_int(&newbits, "newbits")?;
    let netnum = want_whole(&netnum, "netnum")?;
    let network = parse_cidr(ctx, &text)?;
    let new_len = i64::from(network.len) + newbits;
    if newbits < 0 || new_len > i64::from(network.bits) {
        return Err(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            network.len
        ));
    }
    let new_len = new_len as u32;
    let newbits = newbits as u32;
    let max = if newbits >= 128 {
        u128::MAX
    } else {
        (1u128 << newbits) - 1
    };
    if netnum < 0 || netnum as u128 > max {
        return Err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        ));
    }
    let shifted = (netnum as u128)
        .checked_shl(network.bits - new_len)
        .unwrap_or(0);
    Ok(Value::String(
        network.with(network.addr | shifted, new_len).to_string(),
    ))
}

pub(super) fn cidrhost(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [prefix, hostnum] = take(args);
    let text = want_string(&prefix, "prefix")?;
    let hostnum = want_whole(&hostnum, "hostnum")?;
    let network = parse_cidr(ctx, &text)?;
    let max = network.host_mask(network.len);
    let refuse = || {
        format!(
            "prefix of {} does not accommodate a host numbered {hostnum}",
            network.len
        )
    };
    // A negative number counts back from the end: -1 is the last address.
    let offset = if hostnum >= 0 {
        let offset = hostnum as u128;
        if offset > max {
            return Err(refuse());
        }
        offset
    } else {
        let back = hostnum.unsigned_abs() - 1;
        if back > max {
            return Err(refuse());
        }
        max - back
    };
    Ok(Value::String(show_addr(
        network.addr | offset,
        network.bits,
    )))
}

pub(super) fn cidrnetmask(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let [prefix] = take(args);
    let text = want_string(&prefix, "prefix")?;
    let network = parse_cidr(ctx, &text)?;
    if network.bits != 32 {
        return Err(format!(
            "IPv6 addresses cannot have a netmask: {}",
            if ctx.sensitive {
                "(sensitive value)"
            } else {
                &text
            }
        ));
    }
    Ok(Value::String(show_addr(network.net_mask(network.len), 32)))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets, each aligned to its own size, in the order
/// given, as Terraform allocates them.
pub(super) fn cidrsubnets(ctx: &Ctx, args: Vec<Value>) -> Result<Value, String> {
    let mut args = args.into_iter();
    let text = want_string(&args.next().unwrap_or(Value::Null), "prefix")?;
    let network = parse_cidr(ctx, &text)?;
    let extensions = args
        .map(|arg| want_int(&arg, "newbits"))
        .collect::<Result<Vec<i64>, String>>()?;
    let Some(&first) = extensions.first() else {
        return Ok(Value::List(Vec::new()));
    };
    let first_len = (i64::from(network.len) + first).clamp(0, i64::from(network.bits)) as u32;
    // Start just before the network, so the first allocation lands on its first aligned block.
    let mut current = network.with(network.addr.wrapping_sub(1) & network.all_ones(), first_len);
    let mut subnets = Vec::with_capacity(extensions.len());
    for (step, extension) in extensions.into_iter().enumerate() {
        if extension < 1 {
            return Err(invalid("newbits", "must extend prefix by at least one bit"));
        }
        if extension > 32 {
            return Err(invalid(
                "newbits",
                "may not extend prefix by more than 32 bits",
            ));
        }
        let length = i64::from(network.len) + extension;
        if length > i64::from(network.bits) {
            return Err(invalid(
                "newbits",
                &format!(
                    "would extend prefix to {length} bits, which is too long for an {} address",
                    network.protocol()
                ),
            ));
        }
        let length = length as u32;
        // The block of the new size holding current's last address, then the one after it.
        let current_last = current.addr | current.host_mask(current.len);
        let containing = current.with(current_last, length);
        let after =
            (containing.addr | containing.host_mask(length)).wrapping_add(1) & network.all_ones();
        let next = network.with(after, length);
        // Wrapping to zero means running off the end of the address space, except on the first step,
        // which starts just before the network and so wraps when the network starts at zero. (Terraform
        // refuses such networks altogether; allocating from them is the evident intent.)
        if (after == 0 && step > 0) || !network.contains(next.addr) {
            return Err(invalid(
                "newbits",
                &format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {current}"
                ),
            ));
        }
        subnets.push(Value::String(next.to_string()));
        current = next;
    }
    Ok(Value::List(subnets))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::lang::Value;

    #[test]
    fn cidrsubnet_carves_expressroute_peering_subnets() {
        // /30s for the primary and secondary links of a private peering, from a /24.
        assert_eq!(
            ok("cidrsubnet", vec![s("192.168.100.0/24"), n(6), n(0)]),
            s("192.168.100.0/30")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("192.168.100.0/24"), n(6), n(1)]),
            s("192.168.100.4/30")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("192.168.100.0/24"), n(6), n(63)]),
            s("192.168.100.252/30")
        );
        // /29s.
        assert_eq!(
            ok("cidrsubnet", vec![s("192.168.100.0/24"), n(5), n(3)]),
            s("192.168.100.24/29")
        );
        // Host bits in the prefix are masked off.
        assert_eq!(
            ok("cidrsubnet", vec![s("172.16.5.77/12"), n(4), n(2)]),
            s("172.18.0.0/16")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.1.2.0/24"), n(0), n(0)]),
            s("10.1.2.0/24")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("fd00:fd00::/56"), n(8), n(4)]),
            s("fd00:fd00:0:4::/64")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("2001:db8::/32"), n(96), n(1)]),
            s("2001:db8::1/128")
        );
    }

    #[test]
    fn cidrsubnet_errors() {
        assert_eq!(
            err("cidrsubnet", vec![s("192.168.100.0/24"), n(6), n(64)]),
            "prefix extension of 6 does not accommodate a subnet numbered 64"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("192.168.100.0/30"), n(2), n(5)]),
            "prefix extension of 2 does not accommodate a subnet numbered 5"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("192.168.100.0/24"), n(9), n(0)]),
            "insufficient address space to extend prefix of 24 by 9"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/33"), n(1), n(0)]),
            "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/8"), n(8), n(-1)]),
            "prefix extension of 8 does not accommodate a subnet numbered -1"
        );
        assert!(err("cidrsubnet", vec![s("10.0.0.0/8"), f(1.5), n(0)]).contains("whole number"));
        assert_eq!(
            ok("cidrsubnet", vec![Value::Unknown, n(1), n(0)]),
            Value::Unknown
        );
        assert_eq!(
            ok("cidrsubnet", vec![secret(s("10.0.0.0/8")), n(8), n(1)]),
            secret(s("10.1.0.0/16"))
        );
        assert_eq!(
            err("cidrsubnet", vec![secret(s("10.0.0.0/99")), n(8), n(1)]),
            "invalid CIDR expression: invalid CIDR address: (sensitive value)"
        );
    }

    #[test]
    fn cidr_parsing_follows_go() {
        for bad in [
            "10.0.0.0",
            "10.0.0.0/",
            "10.0.0/8",
            "10.0.0.256/8",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/8 ",
            "::/129",
            "fe80::1%eth0/64",
            "1.2.3.4.5/8",
            "/8",
            "abc/8",
        ] {
            let message = err("cidrhost", vec![s(bad), n(0)]);
            assert_eq!(
                message,
                format!("invalid CIDR expression: invalid CIDR address: {bad}")
            );
        }
        assert_eq!(
            ok("cidrhost", vec![s("010.001.0.0/16"), n(1)]),
            s("10.1.0.1")
        );
        assert_eq!(ok("cidrhost", vec![s("10.0.0.0/08"), n(1)]), s("10.0.0.1"));
    }

    #[test]
    fn cidrhost_counts_from_either_end() {
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(16)]),
            s("10.12.112.16")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(268)]),
            s("10.12.113.12")
        );
        assert_eq!(
            ok("cidrhost", vec![s("192.168.100.4/30"), n(1)]),
            s("192.168.100.5")
        );
        assert_eq!(
            ok("cidrhost", vec![s("192.168.100.4/30"), n(2)]),
            s("192.168.100.6")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/24"), n(-1)]),
            s("10.0.0.255")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/24"), n(-256)]),
            s("10.0.0.0")
        );
        assert_eq!(
            ok("cidrhost", vec![s("fd00:fd12:3456:7890::/56"), n(34)]),
            s("fd00:fd12:3456:7800::22")
        );
        assert_eq!(
            ok("cidrhost", vec![s("::/0"), n(-1)]),
            s("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/24"), n(256)]),
            "prefix of 24 does not accommodate a host numbered 256"
        );
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/24"), n(-257)]),
            "prefix of 24 does not accommodate a host numbered -257"
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/24"), Value::Unknown]),
            Value::Unknown
        );
    }

    #[test]
    fn cidrnetmask_is_ipv4_only() {
        assert_eq!(
            ok("cidrnetmask", vec![s("172.16.0.0/12")]),
            s("255.240.0.0")
        );
        assert_eq!(
            ok("cidrnetmask", vec![s("192.168.100.4/30")]),
            s("255.255.255.252")
        );
        assert_eq!(ok("cidrnetmask", vec![s("0.0.0.0/0")]), s("0.0.0.0"));
        assert_eq!(
            ok("cidrnetmask", vec![s("1.2.3.4/32")]),
            s("255.255.255.255")
        );
        assert_eq!(
            err("cidrnetmask", vec![s("fd00::/64")]),
            "IPv6 addresses cannot have a netmask: fd00::/64"
        );
        assert!(err("cidrnetmask", vec![s("nope")]).starts_with("invalid CIDR expression"));
    }

    #[test]
    fn cidrsubnets_allocates_consecutively_with_alignment() {
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("10.1.0.0/16"), n(4), n(4), n(8), n(4)]
            ),
            strs(&[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ])
        );
        // Primary and secondary /30s, then a /29, from a /24.
        assert_eq!(
            ok("cidrsubnets", vec![s("192.168.100.0/24"), n(6), n(6), n(5)]),
            strs(&["192.168.100.0/30", "192.168.100.4/30", "192.168.100.8/29"])
        );
        assert_eq!(
            ok("cidrsubnets", vec![s("192.168.100.0/24"), n(5), n(6), n(6)]),
            strs(&["192.168.100.0/29", "192.168.100.8/30", "192.168.100.12/30"])
        );
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("fd00:fd12:3456:7890::/56"), n(16), n(16), n(16), n(32)]
            ),
            strs(&[
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ])
        );
        assert_eq!(ok("cidrsubnets", vec![s("10.0.0.0/8")]), list(vec![]));
        assert_eq!(
            ok("cidrsubnets", vec![s("0.0.0.0/0"), n(1), n(1)]),
            strs(&["0.0.0.0/1", "128.0.0.0/1"])
        );
    }

    #[test]
    fn cidrsubnets_errors() {
        assert_eq!(
            err("cidrsubnets", vec![s("10.0.0.0/30"), n(1), n(1), n(1)]),
            "invalid value for \"newbits\" parameter: not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31"
        );
        assert_eq!(
            err("cidrsubnets", vec![s("0.0.0.0/0"), n(1), n(1), n(1)]),
            "invalid value for \"newbits\" parameter: not enough remaining address space for a subnet with a prefix of 1 bits after 128.0.0.0/1"
        );
        assert_eq!(
            err("cidrsubnets", vec![s("10.0.0.0/24"), n(0)]),
            "invalid value for \"newbits\" parameter: must extend prefix by at least one bit"
        );
        assert_eq!(
            err("cidrsubnets", vec![s("fd00::/56"), n(33)]),
            "invalid value for \"newbits\" parameter: may not extend prefix by more than 32 bits"
        );
        assert_eq!(
            err("cidrsubnets", vec![s("10.0.0.0/24"), n(9)]),
            "invalid value for \"newbits\" parameter: would extend prefix to 33 bits, which is too long for an IPv4 address"
        );
        assert_eq!(
            err("cidrsubnets", vec![s("10.0.0.0/33"), n(1)]),
            "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33"
        );
        assert_eq!(
            ok("cidrsubnets", vec![s("10.0.0.0/8"), Value::Unknown]),
            Value::Unknown
        );
    }

    mod properties {
        use super::super::super::Ctx;
        use super::super::{cidrsubnets, parse_cidr};
        use crate::lang::Value;
        use proptest::collection::vec;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

            /// Every allocation lies inside the prefix, is aligned to its own size, and starts after
            /// the previous one ends.
            #[test]
            fn cidrsubnets_allocations_are_inside_aligned_and_increasing(
                addr in any::<u32>(),
                len in 0u32..=28,
                extensions in vec(1i64..=8, 1..8),
            ) {
                let ctx = Ctx { sensitive: false };
                let prefix = format!("{}/{len}", std::net::Ipv4Addr::from(addr));
                let network = parse_cidr(&ctx, &prefix).map_err(TestCaseError::fail)?;
                let mut args = vec![Value::string(prefix.as_str())];
                args.extend(extensions.iter().map(|&e| Value::int(e)));
                let Ok(Value::List(subnets)) = cidrsubnets(&ctx, args) else {
                    return Ok(());
                };
                prop_assert_eq!(subnets.len(), extensions.len());
                let mut previous_end: Option<u128> = None;
                for (subnet, extension) in subnets.iter().zip(&extensions) {
                    let text = subnet.as_str().unwrap_or_default();
                    let parsed = parse_cidr(&ctx, text).map_err(TestCaseError::fail)?;
                    prop_assert_eq!(parsed.to_string(), text, "aligned");
                    prop_assert_eq!(i64::from(parsed.len), i64::from(network.len) + extension);
                    prop_assert!(network.contains(parsed.addr), "{} outside {}", text, prefix);
                    if let Some(end) = previous_end {
                        prop_assert!(parsed.addr > end, "{} overlaps or goes back", text);
                    }
                    previous_end = Some(parsed.addr | parsed.host_mask(parsed.len));
                }
            }
        }
    }
}
