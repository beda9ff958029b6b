//! Merging a block's entries over a template's or an environment's base:
//! attributes replace attributes of the same name; blocks merge into the block
//! of the same kind and label, entry by entry; everything else is added.

use crate::syntax::ast::{Block, Entry};

/// `overrides` merged over `base`, keeping the base's order.
pub fn merge(base: Vec<Entry>, overrides: Vec<Entry>) -> Vec<Entry> {
    let mut result = base;
    for entry in overrides {
        match entry {
            Entry::Attribute(attribute) => {
                let existing = result
                    .iter_mut()
                    .find(|e| matches!(e, Entry::Attribute(a) if a.key.name == attribute.key.name));
                match existing {
                    Some(slot) => *slot = Entry::Attribute(attribute),
                    None => result.push(Entry::Attribute(attribute)),
                }
            }
            Entry::Block(block) => {
                let existing = result.iter_mut().find_map(|e| match e {
                    Entry::Block(b) if same_block(b, &block) => Some(b),
                    _ => None,
                });
                match existing {
                    Some(slot) => {
                        let base_entries = std::mem::take(&mut slot.entries);
                        slot.entries = merge(base_entries, block.entries);
                        slot.span = block.span;
                    }
                    None => result.push(Entry::Block(block)),
                }
            }
        }
    }
    result
}

fn same_block(a: &Block, b: &Block) -> bool {
    a.kind.name == b.kind.name
        && a.label.as_ref().map(|l| &l.name) == b.label.as_ref().map(|l| &l.name)
}
