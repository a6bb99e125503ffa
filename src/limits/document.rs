//! Limits checked on the raw GraphQL document text, in one linear pass, before it is parsed.

use super::Limits;

use std::collections::HashMap;
use std::fmt;

/// Which limit a document broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`Limits::max_query_bytes`].
    Bytes,
    /// [`Limits::max_query_tokens`].
    Tokens,
    /// [`Limits::max_query_nesting`].
    Nesting,
    /// [`Limits::max_query_aliases`].
    Aliases,
    /// [`Limits::max_query_directives`].
    Directives,
    /// [`Limits::max_fragment_expansion`].
    SpreadExpansion,
    /// Fragments that spread each other in a cycle (never allowed; `max` is 0).
    FragmentCycle,
}

impl Limit {
    /// The error code reported to clients, e.g. `NESTING_TOO_DEEP`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Bytes => "DOCUMENT_TOO_LARGE",
            Self::Tokens => "TOO_MANY_TOKENS",
            Self::Nesting => "NESTING_TOO_DEEP",
            Self::Aliases => "TOO_MANY_ALIASES",
            Self::Directives => "TOO_MANY_DIRECTIVES",
            Self::SpreadExpansion => "FRAGMENT_EXPANSION_TOO_LARGE",
            Self::FragmentCycle => "FRAGMENT_CYCLE",
        }
    }
}

/// A broken limit: which one, its value, and how far the document went (scanning stops at the
/// first violation, so this is a lower bound for every limit but [`Limit::Bytes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation {
    /// The limit that was broken.
    pub limit: Limit,
    /// The limit's value.
    pub max: usize,
    /// The document's count when scanning stopped (at least `max + 1`).
    pub actual_or_at_least: usize,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.actual_or_at_least;
        let setting = match self.limit {
            Limit::Bytes => {
                write!(f, "The document is {n} bytes long")?;
                "MAX_QUERY_BYTES"
            }
            Limit::Tokens => {
                write!(f, "The document has at least {n} tokens")?;
                "MAX_QUERY_TOKENS"
            }
            Limit::Nesting => {
                write!(f, "The document nests brackets at least {n} deep")?;
                "MAX_QUERY_NESTING"
            }
            Limit::Aliases => {
                write!(f, "The document has at least {n} aliases")?;
                "MAX_QUERY_ALIASES"
            }
            Limit::Directives => {
                write!(f, "The document has at least {n} directives")?;
                "MAX_QUERY_DIRECTIVES"
            }
            Limit::SpreadExpansion => {
                write!(f, "The document expands to at least {n} field selections")?;
                "MAX_FRAGMENT_EXPANSION"
            }
            Limit::FragmentCycle => {
                return f.write_str("The document's fragments spread each other in a cycle.");
            }
        };
        write!(f, "; the limit is {} ({setting}).", self.max)
    }
}

impl std::error::Error for Violation {}

/// Checks `document` against `limits` in one linear pass over its text, without parsing it.
///
/// # Errors
/// The first limit the document breaks.
pub fn check(document: &str, limits: &Limits) -> Result<(), Violation> {
    exceeds(Limit::Bytes, document.len(), limits.max_query_bytes)?;
    let definitions = scan(document, limits)?;
    check_expansion(&definitions, limits.max_fragment_expansion)
}

/// `Err` when `count` is over `max`.
const fn exceeds(limit: Limit, count: usize, max: usize) -> Result<(), Violation> {
    if count > max {
        return Err(Violation {
            limit,
            max,
            actual_or_at_least: count,
        });
    }
    Ok(())
}

/// A lexical token, with just what the scan needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// One of `! $ & ( ) : = @ [ ] { } |`.
    Punct(u8),
    /// `...`
    Spread,
    Name(&'a str),
    /// A number, string or block string.
    Value,
    /// Anything else (invalid, left to the parser to report).
    Other,
}

/// A GraphQL lexer over bytes: every structural character is ASCII, so UTF-8 needs no decoding.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn peek(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        while self.peek(0).is_some_and(&keep) {
            self.pos += 1;
        }
    }

    /// Skips whitespace, commas, comments and byte order marks.
    fn skip_ignored(&mut self) {
        loop {
            match self.peek(0) {
                Some(b' ' | b'\t' | b'\n' | b'\r' | b',') => self.pos += 1,
                Some(b'#') => self.skip_while(|b| b != b'\n' && b != b'\r'),
                Some(0xEF) if self.rest().starts_with("\u{FEFF}".as_bytes()) => self.pos += 3,
                _ => return,
            }
        }
    }

    fn next_token(&mut self) -> Option<Token<'a>> {
        self.skip_ignored();
        let start = self.pos;
        let token = match self.peek(0)? {
            b'"' if self.rest().starts_with(b"\"\"\"") => self.block_string(),
            b'"' => self.string(),
            b'.' if self.rest().starts_with(b"...") => {
                self.pos += 3;
                Token::Spread
            }
            b'-' | b'0'..=b'9' => self.number(),
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                self.skip_while(|b| b == b'_' || b.is_ascii_alphanumeric());
                Token::Name(self.text.get(start..self.pos).unwrap_or_default())
            }
            b @ (b'!' | b'$' | b'&' | b'(' | b')' | b':' | b'=' | b'@' | b'[' | b']' | b'{'
            | b'}' | b'|') => {
                self.pos += 1;
                Token::Punct(b)
            }
            _ => {
                // One invalid character, with its UTF-8 continuation bytes.
                self.pos += 1;
                self.skip_while(|b| (0x80..0xC0).contains(&b));
                Token::Other
            }
        };
        Some(token)
    }

    /// `"""` … `"""`, where `\"""` does not end it; unterminated, it runs to the end.
    fn block_string(&mut self) -> Token<'a> {
        self.pos += 3;
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                break;
            } else if rest.starts_with(b"\\\"\"\"") {
                self.pos += 4;
            } else if rest.starts_with(b"\"\"\"") {
                self.pos += 3;
                break;
            } else {
                self.pos += 1;
            }
        }
        Token::Value
    }

    /// `"` … `"` with `\` escapes; an unterminated string ends at the line break, so the rest
    /// of the document is still scanned.
    fn string(&mut self) -> Token<'a> {
        self.pos += 1;
        loop {
            match self.peek(0) {
                None | Some(b'\n' | b'\r') => break,
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') if !matches!(self.peek(1), None | Some(b'\n' | b'\r')) => self.pos += 2,
                Some(_) => self.pos += 1,
            }
        }
        Token::Value
    }

    /// `-`? digits (`.` digits)? ([eE] [+-]? digits)?
    fn number(&mut self) -> Token<'a> {
        let digit = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit());
        if self.peek(0) == Some(b'-') {
            self.pos += 1;
        }
        self.skip_while(|b| b.is_ascii_digit());
        if self.peek(0) == Some(b'.') && digit(self.peek(1)) {
            self.pos += 1;
            self.skip_while(|b| b.is_ascii_digit());
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
            if digit(self.peek(1 + sign)) {
                self.pos += 1 + sign;
                self.skip_while(|b| b.is_ascii_digit());
            }
        }
        Token::Value
    }
}

/// An operation or fragment: its own field selections and the fragments it spreads.
#[derive(Debug, Default)]
struct Definition<'a> {
    fields: usize,
    spreads: Vec<&'a str>,
    is_fragment: bool,
}

/// The definitions of a document, fragments looked up by name (duplicates merged, which can
/// only over-count; the parser rejects them anyway).
#[derive(Debug, Default)]
struct Definitions<'a> {
    list: Vec<Definition<'a>>,
    fragments: HashMap<&'a str, usize>,
}

/// What the previous token means for the next name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    Other,
    /// `fragment` at the top level: the next name is a fragment's.
    FragmentKeyword,
    /// A field's first name in a selection set: a `:` after it makes it an alias.
    Field,
    /// `alias:`: the next name is the field's.
    AliasColon,
    /// `@`: the next name is a directive's.
    At,
    /// `...`: the next name is a fragment's, or `on`.
    Spread,
    /// `... on`: the next name is a type condition.
    SpreadOn,
}

/// Counts tokens, brackets, aliases and directives, and collects the definitions.
fn scan<'a>(document: &'a str, limits: &Limits) -> Result<Definitions<'a>, Violation> {
    let mut lexer = Lexer {
        text: document,
        pos: 0,
    };
    let mut definitions = Definitions::default();
    let (mut tokens, mut aliases, mut directives) = (0, 0, 0);
    // All open brackets, and those of them that hold values rather than selections: `(`, `[`,
    // and any `{` inside one of those (values only occur inside parentheses).
    let (mut depth, mut value_depth) = (0, 0);
    let mut pending_fragment: Option<&str> = None;
    let mut current: Option<usize> = None;
    let mut prev = Prev::Other;
    while let Some(token) = lexer.next_token() {
        tokens += 1;
        exceeds(Limit::Tokens, tokens, limits.max_query_tokens)?;
        let in_selection = depth > 0 && value_depth == 0;
        let mut next = Prev::Other;
        match token {
            Token::Punct(open @ (b'{' | b'[' | b'(')) => {
                if depth == 0 && open == b'{' {
                    current = Some(definitions.start(pending_fragment.take()));
                }
                depth += 1;
                exceeds(Limit::Nesting, depth, limits.max_query_nesting)?;
                if open != b'{' || value_depth > 0 {
                    value_depth += 1;
                }
            }
            Token::Punct(b'}' | b']' | b')') => {
                depth -= usize::from(depth > 0);
                value_depth -= usize::from(value_depth > 0);
            }
            Token::Punct(b'@') => {
                directives += 1;
                exceeds(Limit::Directives, directives, limits.max_query_directives)?;
                next = Prev::At;
            }
            Token::Punct(b':') if in_selection && prev == Prev::Field => {
                aliases += 1;
                exceeds(Limit::Aliases, aliases, limits.max_query_aliases)?;
                next = Prev::AliasColon;
            }
            Token::Spread if in_selection => next = Prev::Spread,
            Token::Name(name) if depth == 0 => match prev {
                Prev::FragmentKeyword => pending_fragment = Some(name),
                Prev::At => {}
                _ if name == "fragment" => next = Prev::FragmentKeyword,
                _ => {}
            },
            Token::Name(name) if in_selection => {
                let definition = current.and_then(|index| definitions.list.get_mut(index));
                match (prev, definition) {
                    (Prev::At | Prev::AliasColon | Prev::SpreadOn, _) | (_, None) => {}
                    (Prev::Spread, _) if name == "on" => next = Prev::SpreadOn,
                    (Prev::Spread, Some(definition)) => definition.spreads.push(name),
                    (_, Some(definition)) => {
                        definition.fields += 1;
                        next = Prev::Field;
                    }
                }
            }
            _ => {}
        }
        prev = next;
    }
    Ok(definitions)
}

impl<'a> Definitions<'a> {
    /// Starts the body of a fragment (merged with an earlier one of the same name) or operation.
    fn start(&mut self, fragment: Option<&'a str>) -> usize {
        if let Some(&index) = fragment.and_then(|name| self.fragments.get(name)) {
            return index;
        }
        let index = self.list.len();
        self.list.push(Definition {
            is_fragment: fragment.is_some(),
            ..Definition::default()
        });
        if let Some(name) = fragment {
            self.fragments.insert(name, index);
        }
        index
    }
}

/// Expanded sizes, memoised; `Open` while a fragment's spreads are being expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    New,
    Open,
    Done(usize),
}

/// Checks every fragment's expanded size and the operations' total, with an explicit stack.
fn check_expansion(definitions: &Definitions<'_>, max: usize) -> Result<(), Violation> {
    let Definitions { list, fragments } = definitions;
    let size = |marks: &[Mark], index: usize| match marks.get(index) {
        Some(Mark::Done(size)) => *size,
        _ => 0,
    };
    let spread = |name: &&str| fragments.get(name).copied();
    let mut marks = vec![Mark::New; list.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut total: usize = 0;
    for (root, definition) in list.iter().enumerate() {
        if marks[root] == Mark::New {
            marks[root] = Mark::Open;
            stack.push((root, 0));
        }
        // Depth-first: (definition, index of its next spread to visit).
        while let Some((index, next)) = stack.last_mut() {
            let spreads = &list[*index].spreads;
            if let Some(name) = spreads.get(*next) {
                *next += 1;
                match spread(name).map(|child| (child, marks[child])) {
                    Some((_, Mark::Open)) => {
                        return Err(Violation {
                            limit: Limit::FragmentCycle,
                            max: 0,
                            actual_or_at_least: 1,
                        });
                    }
                    Some((child, Mark::New)) => {
                        marks[child] = Mark::Open;
                        stack.push((child, 0));
                    }
                    Some((_, Mark::Done(_))) | None => {}
                }
            } else {
                let own = list[*index].fields;
                let expanded = spreads
                    .iter()
                    .filter_map(spread)
                    .fold(own, |sum, child| sum.saturating_add(size(&marks, child)));
                exceeds(Limit::SpreadExpansion, expanded, max)?;
                marks[*index] = Mark::Done(expanded);
                stack.pop();
            }
        }
        if !definition.is_fragment {
            total = total.saturating_add(size(&marks, root));
            exceeds(Limit::SpreadExpansion, total, max)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every limit out of the way, so a test checks just one.
    const NONE: Limits = Limits {
        max_query_bytes: usize::MAX,
        max_query_tokens: usize::MAX,
        max_query_nesting: usize::MAX,
        max_query_aliases: usize::MAX,
        max_query_directives: usize::MAX,
        max_fragment_expansion: usize::MAX,
        ..Limits::DEFAULT
    };

    fn limit_of(document: &str, limits: Limits) -> Option<Limit> {
        check(document, &limits)
            .err()
            .map(|violation| violation.limit)
    }

    /// Asserts that `document` passes with `max` and breaks `limit` with `max - 1`.
    fn assert_boundary(document: &str, limit: Limit, max: usize, with: fn(usize) -> Limits) {
        assert_eq!(check(document, &with(max)), Ok(()), "{document:?} at {max}");
        let violation = check(document, &with(max - 1)).expect_err("one over the limit must fail");
        assert_eq!(violation.limit, limit, "{document:?}");
        assert_eq!(violation.max, max - 1);
        assert!(violation.actual_or_at_least >= max);
    }

    fn tokens(max: usize) -> Limits {
        Limits {
            max_query_tokens: max,
            ..NONE
        }
    }
    fn nesting(max: usize) -> Limits {
        Limits {
            max_query_nesting: max,
            ..NONE
        }
    }
    fn aliases(max: usize) -> Limits {
        Limits {
            max_query_aliases: max,
            ..NONE
        }
    }
    fn directives(max: usize) -> Limits {
        Limits {
            max_query_directives: max,
            ..NONE
        }
    }
    fn expansion(max: usize) -> Limits {
        Limits {
            max_fragment_expansion: max,
            ..NONE
        }
    }

    /// graphql-js `getIntrospectionQuery()` with every option on and `typeDepth` 9, its
    /// deepest form (GraphiQL sends a subset of it).
    const INTROSPECTION_QUERY: &str = r"
    query IntrospectionQuery {
      __schema {
        description
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives(includeDeprecated: true) {
          name
          description
          isRepeatable
          isDeprecated
          deprecationReason
          locations
          args(includeDeprecated: true) {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      specifiedByURL
      isOneOf
      fields(includeDeprecated: true) {
        name
        description
        args(includeDeprecated: true) {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields(includeDeprecated: true) {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      isDeprecated
      deprecationReason
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                    ofType {
                      kind
                      name
                      ofType {
                        kind
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    ";

    #[test]
    fn guard_bytes_at_limit_pass_and_one_over_fails() {
        let document = "{ a }";
        assert_boundary(document, Limit::Bytes, 5, |max| Limits {
            max_query_bytes: max,
            ..NONE
        });
        let violation = check(
            document,
            &Limits {
                max_query_bytes: 4,
                ..NONE
            },
        )
        .expect_err("too large");
        assert_eq!(violation.actual_or_at_least, 5);
    }

    #[test]
    fn guard_tokens_at_limit_pass_and_one_over_fails() {
        // `query Q($v: Int = -1.5e3) { ...F }`: comments and commas are not tokens.
        let document = "query Q($v: Int = -1.5e3,) { # a comment { [ (\n ...F, }";
        assert_boundary(document, Limit::Tokens, 14, tokens);
    }

    #[test]
    fn guard_nesting_at_limit_passes_and_one_over_fails() {
        let braces = format!("{}a{}", "{".repeat(32), "}".repeat(32));
        assert_eq!(check(&braces, &Limits::default()), Ok(()));
        assert_boundary(&braces, Limit::Nesting, 32, nesting);
        // Braces, lists and parentheses count together: `{ f(a: [[{ b: [1] }]]) }` is 6 deep.
        assert_boundary("{ f(a: [[{ b: [1] }]]) }", Limit::Nesting, 6, nesting);
        // ...in variables' default values too.
        assert_boundary(
            "query($v: [[Int]] = [[1]]) { a }",
            Limit::Nesting,
            3,
            nesting,
        );
    }

    #[test]
    fn guard_aliases_at_limit_pass_and_one_over_fails() {
        let fields = |n: usize| {
            (0..n)
                .map(|i| format!("a{i}: __typename"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let thirty = format!("{{ {} }}", fields(30));
        assert_eq!(check(&thirty, &Limits::default()), Ok(()));
        let violation =
            check(&format!("{{ {} }}", fields(31)), &Limits::default()).expect_err("31 aliases");
        assert_eq!(
            (violation.limit, violation.max, violation.actual_or_at_least),
            (Limit::Aliases, 30, 31)
        );
        // Nested selection sets and inline fragments count; colons in arguments, object values
        // and variable definitions do not.
        let document = r#"query Q($a: Int = 1, $b: In = { x: 1 }) @d(k: "v") {
            x: users(filter: { name: "ada" }, limit: $a) { y: id ... on User { z: name } }
        }"#;
        assert_boundary(document, Limit::Aliases, 3, aliases);
    }

    #[test]
    fn guard_directives_at_limit_pass_and_one_over_fails() {
        let document = r#"query Q($a: Boolean = true @v) @op { a @skip(if: $a) ...F @include(if: true) ... @defer { b } }
            fragment F on Query @frag { c @deprecated(reason: "@not") }"#;
        assert_boundary(document, Limit::Directives, 7, directives);
        let fifty = format!("{{ a {} }}", "@d ".repeat(50));
        assert_eq!(check(&fifty, &Limits::default()), Ok(()));
        assert_eq!(
            limit_of(&format!("{{ a {} }}", "@d ".repeat(51)), Limits::default()),
            Some(Limit::Directives)
        );
    }

    #[test]
    fn guard_spread_expansion_at_limit_passes_and_one_over_fails() {
        // F has 10 fields and G spreads F twice (20); the operation has 1 + 20 + 10.
        let document = "query { own ...G ...F } fragment F on Q { a b c d e f g h i j }
            fragment G on Q { ...F ...F }";
        assert_boundary(document, Limit::SpreadExpansion, 31, expansion);
        // Inline fragments count their own fields; aliases are one field; unknown fragments 0.
        let document = "{ a: b ... on Q { c d } ... @include(if: true) { e } ...Unknown }";
        assert_boundary(document, Limit::SpreadExpansion, 4, expansion);
        // Operations add up.
        assert_boundary(
            "query A { ...F } query B { ...F } fragment F on Q { a b }",
            Limit::SpreadExpansion,
            4,
            expansion,
        );
        // An unused fragment must stay within the limit too.
        assert_boundary(
            "{ a } fragment F on Q { b c d }",
            Limit::SpreadExpansion,
            3,
            expansion,
        );
    }

    #[test]
    fn guard_exponential_fragments_are_rejected_instantly() {
        // F0 spreads F1 ten times, ..., the last has one field: 10^(n-1) selections.
        let chain = |n: usize| {
            let mut document = String::from("{ ...F0 }");
            for i in 0..n - 1 {
                let spreads = format!("...F{} ", i + 1).repeat(10);
                document.push_str(&format!(" fragment F{i} on Q {{ {spreads}}}"));
            }
            document + &format!(" fragment F{} on Q {{ a }}", n - 1)
        };
        let document = chain(10);
        assert!(document.len() < 800, "{} bytes", document.len());
        let start = std::time::Instant::now();
        let violation = check(&document, &Limits::default()).expect_err("10^9 selections");
        assert!(start.elapsed() < std::time::Duration::from_millis(100));
        assert_eq!(violation.limit, Limit::SpreadExpansion);
        assert_eq!(
            violation.actual_or_at_least, 10_000,
            "F7 = 100 fits, F6 = 1,000 fits, F5 = 10,000 does not"
        );
        // 10^29 saturates rather than overflowing when nothing stops it.
        assert_eq!(check(&chain(30), &NONE), Ok(()));
    }

    #[test]
    fn guard_fragment_cycles_are_rejected() {
        let cycle = "{ ...A } fragment A on Q { a ...B } fragment B on Q { b ...C } fragment C on Q { ...A }";
        let violation = check(cycle, &NONE).expect_err("A -> B -> C -> A");
        assert_eq!(
            (violation.limit, violation.limit.code()),
            (Limit::FragmentCycle, "FRAGMENT_CYCLE")
        );
        assert_eq!(
            limit_of("fragment A on Q { ...A }", NONE),
            Some(Limit::FragmentCycle)
        );
        // A diamond is not a cycle.
        let diamond = "{ ...A } fragment A on Q { ...B ...C } fragment B on Q { ...D } fragment C on Q { ...D } fragment D on Q { d }";
        assert_eq!(check(diamond, &NONE), Ok(()));
    }

    #[test]
    fn guard_strings_and_comments_hide_brackets_and_spreads() {
        let limits = Limits {
            max_query_nesting: 2,
            max_fragment_expansion: 1,
            ..NONE
        };
        // `{ a(s: "...") }` is 2 deep and has 1 field, whatever the string or comment holds.
        for document in [
            r#"{ a(s: "}}} {{{ [[[ ((( ...F") }  fragment F on Q { x }"#,
            r#"{ a(s: "an \" escaped quote { ...F") }"#,
            r#"{ a(s: "a backslash \\") }"#,
            "{ a(s: \"\"\"block { [ ( ...F \\\"\"\" still inside {{{ \"\"\") }",
            "{ a(s: \"\"\"multi\nline\n{{{\n\"\"\") }",
            "{ a(s: 1) # { [ ( ...F \"\n }",
            "\u{FEFF}{ a(s: -1.5e3,,,) }",
            r#"{ a(s: "unicode é { \u00e9") }"#,
        ] {
            assert_eq!(check(document, &limits), Ok(()), "{document:?}");
        }
        assert_eq!(
            limit_of(
                "{ a(s: \"\"\"x\"\"\" { ...F }) } fragment F on Q { x }",
                limits
            ),
            Some(Limit::Nesting),
            "the block string ends before the brace"
        );
        // A block string and a string are one token each; `...` is one token.
        assert_boundary(
            r#"{ a(b: """x "" y""", c: "z") ...F }"#,
            Limit::Tokens,
            13,
            tokens,
        );
    }

    #[test]
    fn guard_introspection_query_passes_with_defaults() {
        assert_eq!(check(INTROSPECTION_QUERY, &Limits::default()), Ok(()));
    }

    #[test]
    fn guard_realistic_agora_query_passes_with_defaults() {
        let document = r#"
            # The home page.
            query Home($limit: Int = 10, $published: Boolean = true, $withPosts: Boolean!) {
              users(limit: $limit) {
                id
                name
                posts(published: $published) @include(if: $withPosts) {
                  title
                  author { name }
                }
              }
              drafts: posts(published: false, authorId: 1) { id title }
              searchUsers(name: "ada", city: "lon") { ...UserCard }
            }
            fragment UserCard on User { id name city isActive createdAt }
        "#;
        assert_eq!(check(document, &Limits::default()), Ok(()));
        let plain =
            "{ users(limit: 10) { id name posts(published: true) { title author { name } } } }";
        assert_eq!(check(plain, &Limits::default()), Ok(()));
    }

    #[test]
    fn guard_rejects_100_000_deep_brackets_without_overflowing() {
        let loose = Limits {
            max_query_bytes: usize::MAX,
            max_query_tokens: usize::MAX,
            ..Limits::default()
        };
        for open in ["[", "{", "(", "{a(b:["] {
            let document = open.repeat(100_000);
            let violation = check(&document, &loose).expect_err("100,000 deep");
            assert_eq!(
                (violation.limit, violation.actual_or_at_least),
                (Limit::Nesting, 33)
            );
            assert_eq!(limit_of(&document, Limits::default()), Some(Limit::Bytes));
        }
    }

    #[test]
    fn guard_violations_name_their_limit() {
        let violation = check(&"{".repeat(40), &Limits::default()).expect_err("too deep");
        assert_eq!(violation.limit.code(), "NESTING_TOO_DEEP");
        assert_eq!(
            violation.to_string(),
            "The document nests brackets at least 33 deep; the limit is 32 (MAX_QUERY_NESTING)."
        );
        let codes = [
            (Limit::Bytes, "DOCUMENT_TOO_LARGE", "MAX_QUERY_BYTES"),
            (Limit::Tokens, "TOO_MANY_TOKENS", "MAX_QUERY_TOKENS"),
            (Limit::Aliases, "TOO_MANY_ALIASES", "MAX_QUERY_ALIASES"),
            (
                Limit::Directives,
                "TOO_MANY_DIRECTIVES",
                "MAX_QUERY_DIRECTIVES",
            ),
            (
                Limit::SpreadExpansion,
                "FRAGMENT_EXPANSION_TOO_LARGE",
                "MAX_FRAGMENT_EXPANSION",
            ),
        ];
        for (limit, code, setting) in codes {
            assert_eq!(limit.code(), code);
            let message = Violation {
                limit,
                max: 7,
                actual_or_at_least: 8,
            }
            .to_string();
            assert!(
                message.contains('8')
                    && message.contains("limit is 7")
                    && message.contains(setting),
                "{message}"
            );
        }
    }

    /// A piece of a generated document; `Open` and `Close` nest, the rest are single tokens.
    #[derive(Debug, Clone)]
    enum Piece {
        Open(usize),
        Close,
        Name,
        Number,
        Str,
        BlockStr,
        Spread,
        Comment,
    }

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            3 => (0..3usize).prop_map(Piece::Open),
            3 => Just(Piece::Close),
            1 => Just(Piece::Name),
            1 => Just(Piece::Number),
            1 => Just(Piece::Str),
            1 => Just(Piece::BlockStr),
            1 => Just(Piece::Spread),
            1 => Just(Piece::Comment),
        ]
    }

    /// Renders pieces as a document, with its reference token count and deepest nesting.
    fn render(pieces: &[Piece]) -> (String, usize, usize) {
        let (mut text, mut open, mut tokens, mut deepest) = (String::new(), Vec::new(), 0, 0);
        for piece in pieces {
            let (part, token) = match piece {
                Piece::Open(kind) => {
                    open.push(*kind);
                    deepest = deepest.max(open.len());
                    (["{", "[", "("][*kind], true)
                }
                Piece::Close => match open.pop() {
                    Some(kind) => (["}", "]", ")"][kind], true),
                    None => ("", false),
                },
                Piece::Name => ("name_1", true),
                Piece::Number => ("-12.5e+3", true),
                Piece::Str => (r#""{ [ ( \" ... # ""#, true),
                Piece::BlockStr => ("\"\"\"{ [\n( \\\"\"\" ... \"\"\"", true),
                Piece::Spread => ("...", true),
                Piece::Comment => ("# { [ ( \" ...\n", false),
            };
            text.push_str(part);
            text.push_str(" , ");
            tokens += usize::from(token);
        }
        (text, tokens, deepest)
    }

    proptest! {
        #[test]
        fn guard_never_panics(text in any::<String>(), graphql_ish in "[{}\\[\\]()\"#\\\\.:@$=a-z0-9 \n\u{FEFF}é-]{0,300}") {
            for document in [&text, &graphql_ish] {
                for limits in [Limits::default(), NONE, Limits { max_query_bytes: 10, max_query_tokens: 3, max_query_nesting: 1, max_query_aliases: 0, max_query_directives: 0, max_fragment_expansion: 0, ..Limits::DEFAULT }] {
                    let _ = check(document, &limits);
                }
            }
        }

        #[test]
        fn guard_agrees_with_a_reference_count(pieces in proptest::collection::vec(piece(), 0..200)) {
            let (document, tokens, deepest) = render(&pieces);
            let limits = Limits { max_query_tokens: tokens, max_query_nesting: deepest, ..NONE };
            prop_assert_eq!(check(&document, &limits), Ok(()));
            if tokens > 0 {
                prop_assert_eq!(limit_of(&document, Limits { max_query_tokens: tokens - 1, ..NONE }), Some(Limit::Tokens));
            }
            if deepest > 0 {
                prop_assert_eq!(limit_of(&document, Limits { max_query_nesting: deepest - 1, ..NONE }), Some(Limit::Nesting));
            }
        }
    }
}
