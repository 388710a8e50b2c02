/// The encodings PosLab ships. To add one: write a file in `Encodings/` with a type conforming to
/// `RegisteredEncoding`, and add one line here.
let builtinEncodings: [any RegisteredEncoding.Type] = [
    NoEncoding.self,
    LearnedEncoding.self,
    SinusoidalEncoding.self,
    RelativeBiasEncoding.self,
    ALiBiEncoding.self,
    RotaryEncoding.self,
    RandomizedEncoding.self,
    KerpleEncoding.self,
    ALiBiAsymmetricEncoding.self,
    FireEncoding.self,
    ShawEncoding.self,
    XPosEncoding.self,
    CoPEEncoding.self,
    AbacusEncoding.self,
]
