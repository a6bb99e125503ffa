//! Walking while rows change: no row missed or repeated.

use super::*;

on_every_backend!(
    forward_walk_survives_inserts_and_deletes,
    backward_walk_survives_inserts_and_deletes,
);

/// A change made between two pages of a walk.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Delete the row of the cursor the next page starts from.
    DeleteCursorRow,
    /// Delete the `n`th row not returned yet, in walking order.
    DeleteUnseen(usize),
    /// Delete a row already returned.
    DeleteSeen,
    /// Insert a product.
    Insert {
        price: f64,
        stock: i64,
        category: Option<usize>,
    },
}

/// Walks products in the order `keys` (`last` pages when `backward`) while `changes[i]` is
/// applied after page `i`. Each page must be exactly the rows then beyond the cursor's key
/// values; every product that exists during the whole walk comes exactly once, in order.
async fn walk_while_changing(app: &TestApp, keys: &[Key], backward: bool, changes: &[&[Change]]) {
    let ds = seed(app).await;
    let mut current: Vec<Product> = ds.products.clone();
    let mut ever: HashMap<i64, Product> = current.iter().map(|p| (p.id, p.clone())).collect();
    let initial: Vec<i64> = current.iter().map(|p| p.id).collect();
    let mut deleted: Vec<i64> = Vec::new();
    let mut returned: Vec<i64> = Vec::new();
    let mut cursor_row: Option<Product> = None;
    let mut cursor_value = Value::Null;
    let size = 3;
    for step in 0.. {
        assert!(step < 50, "the walk does not end");
        let args = if backward {
            json!({ "last": size, "before": cursor_value, "o": order_json(keys) })
        } else {
            json!({ "first": size, "after": cursor_value, "o": order_json(keys) })
        };
        let connection = page(app, Entity::Product, &args).await;

        // The rows beyond the cursor now, nearest first.
        let mut beyond: Vec<&Product> = current
            .iter()
            .filter(|p| {
                cursor_row.as_ref().is_none_or(|c| {
                    let ordering = compare(Row::Product(p), Row::Product(c), keys);
                    if backward {
                        ordering.is_lt()
                    } else {
                        ordering.is_gt()
                    }
                })
            })
            .collect();
        beyond.sort_by(|a, b| {
            let ordering = compare(Row::Product(a), Row::Product(b), keys);
            if backward {
                ordering.reverse()
            } else {
                ordering
            }
        });
        let mut expected: Vec<i64> = beyond.iter().take(size).map(|p| p.id).collect();
        if backward {
            expected.reverse();
        }
        let got = node_ids(&connection);
        assert_eq!(
            got, expected,
            "page {step} of products by {keys:?}, backward: {backward}"
        );
        let more = beyond.len() > size;
        let (towards, away) = if backward {
            ("hasPreviousPage", "hasNextPage")
        } else {
            ("hasNextPage", "hasPreviousPage")
        };
        assert_eq!(flag(&connection, towards), more, "page {step}");
        assert_eq!(flag(&connection, away), step > 0, "page {step}");
        if backward {
            let mut page_ids = got.clone();
            page_ids.extend(returned);
            returned = page_ids;
        } else {
            returned.extend(&got);
        }
        if !more {
            break;
        }
        let last_id = if backward { got[0] } else { got[got.len() - 1] };
        cursor_row = ever.get(&last_id).cloned();
        cursor_value = cursor(
            &connection,
            if backward { "startCursor" } else { "endCursor" },
        );

        let unseen: Vec<i64> = beyond.iter().skip(size).map(|p| p.id).collect();
        for change in changes.get(step).copied().unwrap_or_default() {
            let victim = match *change {
                Change::DeleteCursorRow => Some(last_id),
                Change::DeleteUnseen(n) => unseen.get(n).copied(),
                Change::DeleteSeen => returned
                    .iter()
                    .copied()
                    .find(|id| *id != last_id && !deleted.contains(id)),
                Change::Insert {
                    price,
                    stock,
                    category,
                } => {
                    let category_id = category.map(|c| ds.categories[c].id);
                    let name = format!("Inserted at step {step}");
                    let id = app
                        .create_product(
                            &name,
                            price,
                            i32::try_from(stock).expect("a stock"),
                            category_id,
                        )
                        .await;
                    let product = Product {
                        id,
                        name,
                        price,
                        stock,
                        category_id,
                    };
                    ever.insert(id, product.clone());
                    current.push(product);
                    None
                }
            };
            if let Some(victim) = victim {
                app.data(
                    "mutation($id: Int!) { deleteProduct(id: $id) { id } }",
                    json!({ "id": victim }),
                )
                .await;
                current.retain(|p| p.id != victim);
                deleted.push(victim);
            }
        }
    }
    let mut unique = returned.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        returned.len(),
        "a row came twice: {returned:?}"
    );
    for id in initial.iter().filter(|id| !deleted.contains(id)) {
        assert!(
            returned.contains(id),
            "product {id} existed all along but never came"
        );
    }
    for pair in returned.windows(2) {
        assert!(
            compare(
                Row::Product(&ever[&pair[0]]),
                Row::Product(&ever[&pair[1]]),
                keys
            )
            .is_lt(),
            "{pair:?} out of order"
        );
    }
    assert!(
        !deleted.is_empty() && ever.len() > initial.len(),
        "the walk changed nothing"
    );
}

async fn forward_walk_survives_inserts_and_deletes(app: &TestApp) {
    // By price, highest first: ties and the id tie-breaker matter.
    walk_while_changing(
        app,
        &[Key::desc("PRICE")],
        false,
        &[
            &[
                Change::DeleteCursorRow,
                Change::Insert {
                    price: 5000.0,
                    stock: 1,
                    category: None,
                },
                Change::Insert {
                    price: 199.0,
                    stock: 1,
                    category: Some(0),
                },
            ],
            &[
                Change::DeleteUnseen(0),
                Change::DeleteUnseen(2),
                Change::DeleteSeen,
                Change::Insert {
                    price: 0.01,
                    stock: 0,
                    category: None,
                },
            ],
            &[
                Change::Insert {
                    price: 15.0,
                    stock: 2,
                    category: Some(5),
                },
                Change::DeleteCursorRow,
            ],
            &[Change::Insert {
                price: 1000.0,
                stock: 2,
                category: None,
            }],
        ],
    )
    .await;
}

async fn backward_walk_survives_inserts_and_deletes(app: &TestApp) {
    // By the nullable category id, walking from the end towards the NULLs.
    walk_while_changing(
        app,
        &[Key::asc("CATEGORY_ID"), Key::desc("STOCK")],
        true,
        &[
            &[
                Change::DeleteCursorRow,
                Change::Insert {
                    price: 1.0,
                    stock: 0,
                    category: None,
                },
                Change::Insert {
                    price: 1.0,
                    stock: 50,
                    category: Some(6),
                },
            ],
            &[
                Change::DeleteUnseen(0),
                Change::DeleteSeen,
                Change::Insert {
                    price: 2.0,
                    stock: 1,
                    category: Some(2),
                },
            ],
            &[
                Change::Insert {
                    price: 3.0,
                    stock: 999,
                    category: None,
                },
                Change::DeleteUnseen(1),
            ],
            &[Change::DeleteCursorRow],
        ],
    )
    .await;
}
