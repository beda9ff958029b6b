//! Fly.io's published prices, read from the dated `prices.toml` compiled into
//! flyx. Every amount is in US cents per month.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::check::compute::Guest;
use crate::fly::Region;

/// The price file, as compiled in.
pub const PRICES_TOML: &str = include_str!("prices.toml");

/// Every price `flyx cost` uses.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Where the prices come from, and when they were read.
    pub source: PriceSource,
    /// Machines.
    pub machines: MachinePrices,
    /// Volumes.
    pub volumes: VolumePrices,
    /// IP addresses.
    pub ips: IpPrices,
    /// Certificates.
    pub certificates: CertificatePrices,
    /// Managed Postgres.
    pub managed_postgres: ManagedPostgresPrices,
    /// Upstash Redis.
    pub redis: RedisPrices,
}

/// Where the prices come from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSource {
    /// The date of the pricing page the figures were read from.
    pub date: String,
    /// The pricing page.
    pub url: String,
}

/// Machine prices.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachinePrices {
    /// Each GB of RAM above a preset's own.
    pub extra_ram_per_gb: u64,
    /// By preset name.
    pub presets: BTreeMap<String, PresetPrice>,
    /// Regional markups in percent of the base price, by region code.
    pub region_percent: BTreeMap<String, u64>,
}

/// One preset's price.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetPrice {
    /// The memory the price includes, in MB.
    pub memory_mb: u64,
    /// The price with that memory.
    pub price: u64,
}

/// Volume prices.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumePrices {
    /// Each provisioned GB.
    pub per_gb: u64,
}

/// IP prices.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpPrices {
    /// A dedicated IPv4 address.
    pub dedicated_ipv4: u64,
}

/// Certificate prices.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificatePrices {
    /// How many single-hostname certificates an organization gets free.
    pub free_single_hostname: u64,
    /// Each single-hostname certificate past the free ones.
    pub single_hostname: u64,
    /// Each wildcard certificate.
    pub wildcard: u64,
}

/// Managed Postgres prices.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPostgresPrices {
    /// Each provisioned GB of storage.
    pub storage_per_gb: u64,
    /// By plan name, as `fly mpg create --plan` takes it.
    pub plans: BTreeMap<String, u64>,
}

/// Upstash Redis prices.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisPrices {
    /// The fixed part of pay-as-you-go (the commands are usage).
    pub pay_as_you_go: u64,
    /// Fixed plans by name.
    pub plans: BTreeMap<String, RedisPlanPrice>,
}

/// One fixed Upstash plan.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisPlanPrice {
    /// The plan.
    pub price: u64,
    /// Each read replica region.
    pub per_replica: u64,
}

impl Prices {
    /// The prices compiled into flyx. No input reaches this: the file is part
    /// of flyx's source and `the_price_file_parses` parses it, so a failure
    /// here is a bug in that commit, caught by its tests.
    pub fn builtin() -> Prices {
        toml::from_str(PRICES_TOML).expect("src/cost/prices.toml parses (tested)")
    }

    /// One machine's price in `region`, rounded to the cent; `None` for a
    /// preset the price file does not list.
    pub fn machine(&self, guest: &Guest, region: Region) -> Option<u64> {
        let preset = self.machines.presets.get(&guest.preset())?;
        let extra_mb = guest.memory_mb.saturating_sub(preset.memory_mb);
        let base = preset.price * 1024 + extra_mb * self.machines.extra_ram_per_gb;
        let percent = self.region_percent(region);
        Some(divide_rounding(base * percent, 1024 * 100))
    }

    /// The markup of a region, in percent; 100 where none is published.
    pub fn region_percent(&self, region: Region) -> u64 {
        self.machines
            .region_percent
            .get(region.code())
            .copied()
            .unwrap_or(100)
    }
}

/// `n / d`, rounded half up.
fn divide_rounding(n: u64, d: u64) -> u64 {
    (n + d / 2) / d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fly::CpuKind;

    fn shared(cpus: u32, memory_mb: u64) -> Guest {
        Guest {
            cpu_kind: CpuKind::Shared,
            cpus,
            memory_mb,
        }
    }

    fn region(code: &str) -> Region {
        Region::parse(code).expect("a region")
    }

    #[test]
    fn the_price_file_parses() {
        let prices = Prices::builtin();
        assert_eq!(prices.source.date, "2026-08-05");
    }

    #[test]
    fn extra_ram_is_five_dollars_a_gb_over_the_preset() {
        let prices = Prices::builtin();
        // The docs' own examples: shared-1x 512 MB $3.19, 1 GB $5.70 ($5.69 by the rule).
        assert_eq!(prices.machine(&shared(1, 256), region("iad")), Some(194));
        assert_eq!(prices.machine(&shared(1, 512), region("iad")), Some(319));
        assert_eq!(prices.machine(&shared(1, 1024), region("iad")), Some(569));
        assert_eq!(prices.machine(&shared(2, 512), region("ams")), Some(389));
    }

    #[test]
    fn a_region_with_a_markup_costs_more() {
        let prices = Prices::builtin();
        // 194 × 1.2 = 232.8: the cost-management page says $2.32.
        assert_eq!(prices.machine(&shared(1, 256), region("sjc")), Some(233));
        assert_eq!(prices.machine(&shared(1, 512), region("sjc")), Some(383));
    }

    #[test]
    fn a_preset_without_a_price_is_none() {
        let prices = Prices::builtin();
        assert_eq!(prices.machine(&shared(6, 1536), region("iad")), None);
    }
}
