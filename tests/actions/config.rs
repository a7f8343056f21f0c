//! Bad `[[actions]]` are config errors that name the action and the field; the example config's actions load.

use hubtriage::config::Config;
use std::path::Path;

fn error(toml: &str) -> String {
    Config::parse(toml, Path::new("/etc/hubtriage/config.toml")).map(|_| ()).unwrap_err().to_string()
}

#[test]
fn an_unknown_placeholder_is_a_config_error_naming_the_action_and_argument() {
    let e = error(
        "[[actions]]\nname = \"ok\"\nkind = \"command\"\nargv = [\"echo\", \"{id}\"]\n\
         [[actions]]\nname = \"open console\"\nkind = \"command\"\nargv = [\"xdg-open\", \"https://x/{sg_id}\"]\n",
    );
    assert!(e.contains("/etc/hubtriage/config.toml"), "{e}");
    assert!(e.contains("actions[1] ('open console').argv[1]"), "{e}");
    assert!(e.contains("unknown placeholder {sg_id}"), "{e}");
}

#[test]
fn every_template_field_is_checked() {
    let e = error("[[actions]]\nname = \"w\"\nkind = \"workflow\"\nstatus = \"NOTIFIED\"\nnote = \"by {who}\"\n");
    assert!(e.contains("actions[0] ('w').note") && e.contains("{who}"), "{e}");
    let e = error(
        "[[actions]]\nname = \"r\"\nkind = \"ssm-automation\"\ndocument = \"AWS-X\"\n\
         [actions.parameters]\nGroupId = [\"{resource}\"]\n",
    );
    assert!(e.contains("actions[0] ('r').parameters.GroupId[0]") && e.contains("{resource}"), "{e}");
    let e = error("[[actions]]\nname = \"b\"\nkind = \"command\"\nargv = [\"echo\", \"{id\"]\n");
    assert!(e.contains("actions[0] ('b').argv[1]") && e.contains("closing"), "{e}");
}

#[test]
fn other_bad_values_are_named() {
    let cases = [
        ("kind = \"workflow\"\nstatus = \"CLOSED\"\nnote = \"n\"", "('x').status"),
        ("kind = \"workflow\"\nstatus = \"IN_PROGRESS\"\nnote = \"n\"", "('x').status"),
        ("kind = \"command\"\nargv = []", "('x').argv"),
        ("kind = \"command\"\nargv = [\"{resource_id}\"]", "('x').argv[0]"),
        ("kind = \"command\"\nargv = [\"true\"]\ntimeout_seconds = 0", "('x').timeout_seconds"),
        ("kind = \"sns\"\ntopic_arn = \"arn:aws:sqs:eu-west-1:1:q\"", "('x').topic_arn"),
        ("kind = \"ssm-automation\"\ndocument = \"bad name!\"", "('x').document"),
    ];
    for (body, expected) in cases {
        let e = error(&format!("[[actions]]\nname = \"x\"\n{body}\n"));
        assert!(e.contains(expected), "{body}: {e}");
    }
    let e = error(
        "[[actions]]\nname = \"x\"\nkey = \"o\"\nkind = \"command\"\nargv = [\"true\"]\n\
         [[actions]]\nname = \"y\"\nkey = \"o\"\nkind = \"command\"\nargv = [\"true\"]\n",
    );
    assert!(e.contains("actions[1] ('y').key"), "{e}");
    let e = error(
        "[[actions]]\nname = \"x\"\nkind = \"command\"\nargv = [\"true\"]\n\
         [[actions]]\nname = \"x\"\nkind = \"command\"\nargv = [\"true\"]\n",
    );
    assert!(e.contains("actions[1] ('x').name"), "{e}");
}

#[test]
fn the_example_config_has_an_action_of_each_kind() {
    let config = Config::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")).unwrap();
    let kinds: Vec<&str> = config.actions.iter().map(|a| a.kind.name()).collect();
    for kind in ["command", "sns", "ssm-automation"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}

#[test]
fn keys_of_another_kind_and_unknown_keys_are_refused() {
    let e = error("[[actions]]\nname = \"x\"\nkind = \"sns\"\ntopic_arn = \"arn:aws:sns:eu-west-1:111111111111:t\"\nargv = [\"a\"]\n");
    assert!(e.contains("action 'x' (sns): `argv` is not a key of sns actions"), "{e}");
    let e = error("[[actions]]\nname = \"x\"\nkind = \"command\"\nargv = [\"true\"]\ntimeout = 5\n");
    assert!(e.contains("timeout"), "{e}");
    let e = error("[[actions]]\nname = \"x\"\nkind = \"shell\"\n");
    assert!(e.contains("kind \"shell\" is not one of"), "{e}");
    let e = error("[[actions]]\nname = \"x\"\nkind = \"workflow\"\nstatus = \"NEW\"\n");
    assert!(e.contains("`note` is missing"), "{e}");
}
