//! IP prefixes as the rules need them: parsing `a.b.c.d/n` and IPv6 CIDRs, prefix length, whether
//! the host bits are zero, overlap, and the private-use ranges (RFC 1918 and friends). Pure
//! arithmetic on integers; it knows nothing about resources. Bad text parses to `None`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An IPv4 or IPv6 prefix. IPv4 addresses live in the low 32 bits of `addr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefix {
    pub v6: bool,
    pub addr: u128,
    pub len: u8,
}

impl Prefix {
    /// Parse `address/length`. A bare address is not a prefix.
    pub fn parse(text: &str) -> Option<Prefix> {
        let (address, length) = text.trim().split_once('/')?;
        let len: u8 = length.parse().ok()?;
        if let Ok(v4) = address.parse::<Ipv4Addr>() {
            (len <= 32).then_some(Prefix {
                v6: false,
                addr: u32::from(v4) as u128,
                len,
            })
        } else if let Ok(v6) = address.parse::<Ipv6Addr>() {
            (len <= 128).then_some(Prefix {
                v6: true,
                addr: u128::from(v6),
                len,
            })
        } else {
            None
        }
    }

    fn bits(&self) -> u8 {
        if self.v6 { 128 } else { 32 }
    }

    fn mask(&self, len: u8) -> u128 {
        let bits = self.bits();
        let full: u128 = if bits == 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        if len == 0 {
            0
        } else {
            let host = bits - len.min(bits);
            if host >= 128 {
                0
            } else {
                full & !((1u128 << host).wrapping_sub(1))
            }
        }
    }

    /// The first address of the prefix.
    pub fn network(&self) -> u128 {
        self.addr & self.mask(self.len)
    }

    /// True when no host bit is set (`10.0.0.0/30`, not `10.0.0.1/30`).
    pub fn is_network_address(&self) -> bool {
        self.addr == self.network()
    }

    /// The prefix with its host bits cleared.
    pub fn normalised(&self) -> Prefix {
        Prefix {
            addr: self.network(),
            ..*self
        }
    }

    /// True when the two prefixes share at least one address (never across families).
    pub fn overlaps(&self, other: &Prefix) -> bool {
        if self.v6 != other.v6 {
            return false;
        }
        let len = self.len.min(other.len);
        let mask = self.mask(len);
        self.addr & mask == other.addr & mask
    }

    /// True when `self` lies inside `outer`.
    pub fn within(&self, outer: &Prefix) -> bool {
        self.v6 == outer.v6 && self.len >= outer.len && self.overlaps(outer)
    }

    /// Inside RFC 1918 private IPv4 space.
    pub fn is_rfc1918(&self) -> bool {
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
            .iter()
            .filter_map(|p| Prefix::parse(p))
            .any(|p| self.within(&p))
    }

    /// Inside space that is never publicly routed: RFC 1918, shared address space (100.64/10), loopback,
    /// link-local, and IPv6 unique-local, link-local and loopback.
    pub fn is_private_use(&self) -> bool {
        let ranges: &[&str] = if self.v6 {
            &["fc00::/7", "fe80::/10", "::1/128"]
        } else {
            &[
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "100.64.0.0/10",
                "127.0.0.0/8",
                "169.254.0.0/16",
            ]
        };
        ranges
            .iter()
            .filter_map(|p| Prefix::parse(p))
            .any(|p| self.within(&p))
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.v6 {
            write!(f, "{}/{}", Ipv6Addr::from(self.addr), self.len)
        } else {
            write!(f, "{}/{}", Ipv4Addr::from(self.addr as u32), self.len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        Prefix::parse(s).unwrap()
    }

    #[test]
    fn parses_both_families_and_rejects_junk() {
        assert_eq!(p("10.0.0.0/30").len, 30);
        assert!(p("2001:db8::/126").v6);
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "x/3",
            "2001:db8::/129",
            "",
            "/",
            "10.0.0.0/-1",
        ] {
            assert_eq!(Prefix::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn network_address_and_overlap() {
        assert!(p("10.0.0.4/30").is_network_address());
        assert!(!p("10.0.0.1/30").is_network_address());
        assert_eq!(p("10.0.0.1/30").normalised().to_string(), "10.0.0.0/30");
        assert!(p("10.0.0.0/30").overlaps(&p("10.0.0.0/29")));
        assert!(!p("10.0.0.0/30").overlaps(&p("10.0.0.4/30")));
        assert!(p("10.1.2.0/24").within(&p("10.0.0.0/8")));
        assert!(!p("10.0.0.0/8").within(&p("10.1.2.0/24")));
        assert!(!p("10.0.0.0/8").overlaps(&p("::/0")));
        assert!(p("0.0.0.0/0").overlaps(&p("192.0.2.0/24")));
        assert!(p("::/0").overlaps(&p("2001:db8::/32")));
    }

    #[test]
    fn private_ranges() {
        assert!(p("192.168.1.0/30").is_rfc1918());
        assert!(p("172.20.0.0/30").is_rfc1918());
        assert!(!p("203.0.113.0/30").is_rfc1918());
        assert!(p("100.64.0.0/30").is_private_use());
        assert!(p("fd00::/126").is_private_use());
        assert!(!p("2001:db8::/126").is_private_use());
    }
}
