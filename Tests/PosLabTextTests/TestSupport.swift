import Foundation
import PosLabText

/// The path of a file in this target's Fixtures folder.
func fixtureURL(_ name: String) -> URL {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
}

/// The GPT-2 tokenizer from the bundled ranks (read once per process).
func gpt2() throws -> GPT2Tokenizer { try GPT2Tokenizer.bundled() }

/// The seed chapter's corpus.
func verdict() throws -> String { try String(contentsOf: fixtureURL("the-verdict.txt"), encoding: .utf8) }
