//! The DynamoDB lease table as `setup --template` creates it: partition key `resource` (S), on demand.
#![allow(clippy::unwrap_used)]

use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};

/// Creates the lease table `name` on the emulator at `endpoint`.
pub async fn create_lease_table(endpoint: &str, name: &str) {
    let client = aws_sdk_dynamodb::Client::new(&super::sdk::base_config(endpoint));
    client
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("resource")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("resource").key_type(KeyType::Hash).build().unwrap())
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
}
