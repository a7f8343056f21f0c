#![allow(clippy::unwrap_used)]

use super::*;

fn err(text: &str) -> QueryError {
    match Query::parse(text) {
        Ok(q) => panic!("{text:?} parsed: {q:?}"),
        Err(e) => e,
    }
}

#[test]
fn the_issue_example_reads_as_seven_terms_anded() {
    let q =
        Query::parse(r#"sev>=high control:S3.* account:payments-prod region:eu-* verdict:auto-fix age>7d "free text""#)
            .unwrap();
    assert_eq!(q.terms().len(), 7);
    assert!(matches!(q.expr, Some(Expr::All(ref items)) if items.len() == 7));
    // HIGH (3) and CRITICAL (4).
    assert_eq!(q.terms()[0], Term::Severity(0b11000));
    assert_eq!(q.terms()[1], Term::Pattern { field: Field::Control, patterns: vec!["s3.*".into()] });
    assert_eq!(q.terms()[4], Term::Verdict(1 << Verdict::AutoFix as u8));
    assert_eq!(q.terms()[5], Term::Elapsed { field: Field::Age, op: Op::Greater, seconds: 7 * 86_400 });
    assert_eq!(q.terms()[6], Term::Text { text: "free text".into(), phrase: true });
    assert!(q.plain_words().is_none());
}

#[test]
fn plain_words_stay_words_and_arns_are_searched_by_their_last_part() {
    let q = Query::parse("S3 Bucket arn:aws:securityhub:eu-west-1:1:finding/ABC-1 sg-0123 foo)").unwrap();
    assert_eq!(q.plain_words(), Some(vec!["s3", "bucket", "abc-1", "sg-0123", "foo)"]));
    assert_eq!(Query::parse("   ").unwrap(), Query::default());
    assert!(Query::parse("").unwrap().is_empty());
    // The beginning of an ARN, typed a character at a time, never errs.
    for end in 1..=12 {
        assert!(Query::parse(&"arn:aws:secu"[..end]).is_ok(), "{end}");
    }
}

#[test]
fn severity_comparisons_and_lists_become_sets() {
    let mask = |t: &str| match Query::parse(t).unwrap().terms()[0] {
        Term::Severity(m) => m,
        ref other => panic!("{other:?}"),
    };
    assert_eq!(mask("severity<medium"), 0b00011);
    assert_eq!(mask("sev<=m"), 0b00111);
    assert_eq!(mask("sev:crit,low"), 0b10010);
    assert_eq!(mask("SEV=Informational"), 0b00001);
    assert_eq!(mask("sev>high"), 0b10000);
}

#[test]
fn or_binds_looser_than_and_and_negation_takes_one_term() {
    let q = Query::parse("a b or c -d").unwrap();
    let expected = Expr::Any(vec![
        Expr::All(vec![Expr::Term(0), Expr::Term(1)]),
        Expr::All(vec![Expr::Term(2), Expr::Not(Box::new(Expr::Term(3)))]),
    ]);
    assert_eq!(q.expr, Some(expected));
    let q = Query::parse("not (sev:high OR verdict:manual) region!=eu-*").unwrap();
    let expected = Expr::All(vec![
        Expr::Not(Box::new(Expr::Any(vec![Expr::Term(0), Expr::Term(1)]))),
        Expr::Not(Box::new(Expr::Term(2))),
    ]);
    assert_eq!(q.expr, Some(expected));
    assert!(Query::parse("status:resolved").unwrap().names_status());
}

#[test]
fn errors_say_where_and_what_was_expected() {
    let e = err("sev>=");
    assert_eq!((e.position, e.message.as_str()), (6, "expected a value after `sev>=`"));
    let e = err("control:S3.* sev>=hgh");
    assert_eq!(e.position, 19);
    assert!(e.message.contains("`hgh` is not a severity: expected critical, high"), "{e}");
    let e = err("sevrity>=high");
    assert_eq!(e.position, 1);
    assert!(e.message.contains("unknown field `sevrity`: expected one of sev, severity, control"), "{e}");
    assert_eq!(err("verdict:fix").to_string().split(':').next(), Some("at character 9"));
    assert!(err("verdict:fix").message.contains("expected auto-fix, approve, manual, excepted or no-playbook"));
    let e = err("age:7d");
    assert_eq!(e.position, 4);
    assert!(e.message.contains("compared with > or <"), "{e}");
    let e = err("age>7x");
    assert_eq!(e.position, 5);
    assert!(e.message.contains("not a duration"), "{e}");
    assert!(err("control>S3").message.contains("compared with : or !="));
    assert_eq!(err("status:done").position, 8);
    let e = err(r#"sev:high "free tex"#);
    assert_eq!((e.position, e.message.contains("expected a closing")), (10, true), "{e}");
    assert_eq!(err("a or").message, "expected a term after `or`");
    assert_eq!(err("or a").message, "expected a term before `or`");
    assert_eq!(err("a -").position, 3);
    assert_eq!(err("not").message, "expected a term after `not`");
    let e = err("(a or b");
    assert_eq!((e.position, e.message.as_str()), (8, "expected `)` to close the `(` at 1"));
    assert_eq!(err("sev:high,").position, 10);
    assert_eq!(err(r#""""#).message, "expected text between the quotes");
}

#[test]
fn durations_read_units_and_sums() {
    assert_eq!(term::duration("12h"), Some(12 * 3600));
    assert_eq!(term::duration("1d12h"), Some(36 * 3600));
    assert_eq!(term::duration("2w"), Some(14 * 86_400));
    assert_eq!(term::duration("30m"), Some(1800));
    assert_eq!(term::duration("7"), None);
    assert_eq!(term::duration("d"), None);
    assert_eq!(term::duration("99999999999999999999d"), None);
}
