//! Addresses as Terraform writes them: `module.site["a"].azurerm_express_route_circuit.this[0]`,
//! `data.azurerm_client_config.current`. Parsing from text and display back, both exact.

use std::fmt;

/// The key of one instance: `count` gives integers, `for_each` strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    Int(i64),
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

/// One step of a module path: `module.NAME[KEY]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<InstanceKey>,
}

/// The path to a module instance; empty for the root module.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModulePath(pub Vec<ModuleStep>);

impl ModulePath {
    pub fn root() -> Self {
        ModulePath(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn child(&self, name: &str, key: Option<InstanceKey>) -> Self {
        let mut steps = self.0.clone();
        steps.push(ModuleStep {
            name: name.to_string(),
            key,
        });
        ModulePath(steps)
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ".")?;
            }
            write!(f, "module.{}", step.name)?;
            if let Some(key) = &step.key {
                write!(f, "{key}")?;
            }
        }
        Ok(())
    }
}

/// Managed resource or data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// A resource (all its instances) inside a module instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceAddr {
    pub module: ModulePath,
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        if self.mode == Mode::Data {
            write!(f, "data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

/// One instance of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceInstanceAddr {
    pub resource: ResourceAddr,
    pub key: Option<InstanceKey>,
}

impl fmt::Display for ResourceInstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

/// What an address string names: a module instance, a whole resource, or one instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Module(ModulePath),
    Resource(ResourceAddr),
    Instance(ResourceInstanceAddr),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Module(m) => write!(f, "{m}"),
            Target::Resource(r) => write!(f, "{r}"),
            Target::Instance(i) => write!(f, "{i}"),
        }
    }
}

impl Target {
    /// Whether this target covers the instance (a module covers everything inside it).
    pub fn contains(&self, instance: &ResourceInstanceAddr) -> bool {
        match self {
            Target::Module(m) => instance.resource.module.0.starts_with(&m.0),
            Target::Resource(r) => &instance.resource == r,
            Target::Instance(i) => i == instance,
        }
    }
}

/// Parse an address as Terraform prints it. The error says what was expected.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let mut parser = Parser { text, pos: 0 };
    let target = parser.target()?;
    if parser.pos != text.len() {
        return Err(format!(
            "unexpected {:?} at column {} of address {text:?}",
            &text[parser.pos..],
            parser.pos + 1
        ));
    }
    Ok(target)
}

/// Parse an address that must name one resource instance (a missing key means "no key").
pub fn parse_instance(text: &str) -> Result<ResourceInstanceAddr, String> {
    match parse_target(text)? {
        Target::Instance(i) => Ok(i),
        Target::Resource(r) => Ok(ResourceInstanceAddr {
            resource: r,
            key: None,
        }),
        Target::Module(_) => Err(format!("{text:?} names a module, not a resource instance")),
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn ident(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_alphanumeric() || c == '_' || c == '-' || (i > 0 && c.is_ascii_digit()))
            })
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        if len == 0 || rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            return Err(format!(
                "expected a name at column {} of address {:?}",
                self.pos + 1,
                self.text
            ));
        }
        let ident = rest[..len].to_string();
        self.pos += len;
        Ok(ident)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn key(&mut self) -> Result<Option<InstanceKey>, String> {
        if !self.eat("[") {
            return Ok(None);
        }
        let rest = self.rest();
        let key = if rest.starts_with('"') {
            // A JSON-style quoted string.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in rest.char_indices().skip(1) {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end =
                end.ok_or_else(|| format!("unterminated string key in address {:?}", self.text))?;
            let s: String = serde_json::from_str(&rest[..=end])
                .map_err(|e| format!("invalid string key in address {:?}: {e}", self.text))?;
            self.pos += end + 1;
            InstanceKey::Str(s)
        } else {
            let len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                .unwrap_or(rest.len());
            let n: i64 = rest[..len].parse().map_err(|_| {
                format!(
                    "expected a number or a quoted string as the key at column {} of address {:?}",
                    self.pos + 1,
                    self.text
                )
            })?;
            self.pos += len;
            InstanceKey::Int(n)
        };
        if !self.eat("]") {
            return Err(format!("expected ] in address {:?}", self.text));
        }
        Ok(Some(key))
    }

    fn target(&mut self) -> Result<Target, String> {
        let mut module = ModulePath::root();
        loop {
            let save = self.pos;
            if self.eat("module.") {
                let name = self.ident()?;
                let key = self.key()?;
                module.0.push(ModuleStep { name, key });
                if self.pos == self.text.len() {
                    return Ok(Target::Module(module));
                }
                if !self.eat(".") {
                    return Err(format!(
                        "expected . after module in address {:?}",
                        self.text
                    ));
                }
                continue;
            }
            self.pos = save;
            break;
        }
        let mode = if self.rest().starts_with("data.") {
            self.pos += 5;
            Mode::Data
        } else {
            Mode::Managed
        };
        let type_name = self.ident()?;
        if !self.eat(".") {
            return Err(format!(
                "a resource address has the form TYPE.NAME, got {:?}",
                self.text
            ));
        }
        let name = self.ident()?;
        let resource = ResourceAddr {
            module,
            mode,
            type_name,
            name,
        };
        match self.key()? {
            Some(key) => Ok(Target::Instance(ResourceInstanceAddr {
                resource,
                key: Some(key),
            })),
            None => Ok(Target::Resource(resource)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in [
            "azurerm_express_route_circuit.primary",
            "azurerm_subnet.gw[0]",
            "module.site[\"west europe\"].azurerm_express_route_circuit.this",
            "module.a.module.b[2].data.azurerm_client_config.current",
            "module.site[\"a\"]",
        ] {
            assert_eq!(parse_target(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn bad_addresses_explain() {
        assert!(parse_target("azurerm_x").unwrap_err().contains("TYPE.NAME"));
        assert!(parse_target("a.b[").is_err());
        assert!(parse_target("a.b[\"x]").is_err());
        assert!(parse_target("a.b extra").is_err());
    }
}
