//! IP prefix arithmetic for the emulator's server-side checks: parse IPv4/IPv6 CIDR prefixes, check
//! they are network addresses of a given length, containment, overlap and RFC 1918 privacy. Pure
//! functions; it must not know resources.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A parsed prefix: address bits left-aligned in a u128, prefix length, and address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefix {
    pub bits: u128,
    pub len: u8,
    pub v6: bool,
}

impl Prefix {
    pub fn parse(text: &str) -> Option<Prefix> {
        let (addr, len) = text.trim().split_once('/')?;
        let len: u8 = len.parse().ok()?;
        if let Ok(v4) = addr.parse::<Ipv4Addr>() {
            if len > 32 {
                return None;
            }
            return Some(Prefix {
                bits: (u32::from(v4) as u128) << 96,
                len,
                v6: false,
            });
        }
        let v6 = addr.parse::<Ipv6Addr>().ok()?;
        if len > 128 {
            return None;
        }
        Some(Prefix {
            bits: u128::from(v6),
            len,
            v6: true,
        })
    }

    fn mask(len: u8) -> u128 {
        if len == 0 {
            0
        } else {
            u128::MAX << (128 - len as u32)
        }
    }

    /// Prefix length over the left-aligned bits (IPv4 sits in the top 32 bits).
    fn wide_len(&self) -> u8 {
        self.len
    }

    /// True when no host bits are set (`10.0.0.0/30`, not `10.0.0.1/30`).
    pub fn is_network_address(&self) -> bool {
        self.bits & !Prefix::mask(self.wide_len()) == 0
    }

    pub fn contains(&self, other: &Prefix) -> bool {
        self.v6 == other.v6
            && self.wide_len() <= other.wide_len()
            && (self.bits ^ other.bits) & Prefix::mask(self.wide_len()) == 0
    }

    pub fn overlaps(&self, other: &Prefix) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// RFC 1918 private IPv4 space (or IPv6 unique-local fc00::/7).
    pub fn is_private(&self) -> bool {
        let private: &[&str] = if self.v6 {
            &["fc00::/7"]
        } else {
            &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        };
        private
            .iter()
            .filter_map(|p| Prefix::parse(p))
            .any(|p| p.overlaps(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let a = Prefix::parse("10.0.0.0/30").unwrap();
        assert!(a.is_network_address());
        assert!(!Prefix::parse("10.0.0.1/30").unwrap().is_network_address());
        assert!(Prefix::parse("10.0.0.0/16").unwrap().contains(&a));
        assert!(
            Prefix::parse("10.0.0.0/16")
                .unwrap()
                .contains(&Prefix::parse("10.0.255.0/27").unwrap())
        );
        assert!(
            !Prefix::parse("10.0.0.0/16")
                .unwrap()
                .contains(&Prefix::parse("10.1.0.0/24").unwrap())
        );
        assert!(!a.overlaps(&Prefix::parse("10.0.0.4/30").unwrap()));
        assert!(a.is_private());
        assert!(!Prefix::parse("203.0.113.0/30").unwrap().is_private());
        assert!(
            Prefix::parse("2001:db8::/126")
                .unwrap()
                .is_network_address()
        );
        assert!(Prefix::parse("10.0.0.0/33").is_none());
        assert!(Prefix::parse("nonsense").is_none());
        assert!(!a.overlaps(&Prefix::parse("::/0").unwrap()));
    }
}
