//! A receipt's entry bytes read back strictly: what the service wrote, and
//! nothing that merely looks like it.

use xinyi_merchant_sdk::ledger_entry::{ENTRY_TAG, decode_entry, encode_entry};

const FIELDS: [&str; 14] = [
    "7",
    "1795852800",
    "reversal",
    "red_7",
    "mer_1",
    "mall",
    "东城区",
    "off_1",
    "3",
    "pseud",
    "10000",
    "1500",
    "8500",
    "ab12",
];

#[test]
fn an_entry_reads_back_field_by_field() {
    let read = decode_entry(&encode_entry(FIELDS)).unwrap();
    assert_eq!((read.seq, read.at_unix, read.kind.as_str(), read.level), (7, 1_795_852_800, "reversal", 3));
    assert_eq!((read.merchant_id.as_str(), read.district.as_str()), ("mer_1", "东城区"));
    assert_eq!((read.amount_fen, read.discount_fen, read.payable_fen), (10_000, 1_500, 8_500));
    assert_eq!(read.prev_hash, "ab12");
    assert!(encode_entry(FIELDS).starts_with(&[0, 0, 0, 15]), "the tag's length first");
    assert_eq!(&encode_entry(FIELDS)[4..19], ENTRY_TAG.as_bytes());
}

#[test]
fn anything_but_the_written_form_is_refused() {
    let with = |i: usize, value: &'static str| {
        let mut fields = FIELDS;
        fields[i] = value;
        encode_entry(fields)
    };
    for (bytes, why) in [
        (with(0, "07"), "plainly"),
        (with(0, "+7"), "plainly"),
        (with(8, "300"), "not a number"),
        (with(2, "refund"), "kind"),
        (with(10, "ten"), "not a number"),
    ] {
        let refused = decode_entry(&bytes).unwrap_err().to_string();
        assert!(refused.contains(why), "{refused} for {why}");
    }
    let good = encode_entry(FIELDS);
    assert!(decode_entry(&good[..good.len() - 1]).is_err(), "cut short");
    assert!(decode_entry(&[good.as_slice(), &[0, 0, 0, 0]].concat()).is_err(), "a 15th field");
    let mut other_tag = good.clone();
    other_tag[18] = b'2';
    assert!(decode_entry(&other_tag).unwrap_err().to_string().contains("tag"));
    assert!(decode_entry(&[]).is_err());
}
