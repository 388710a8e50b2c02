internal import CGSL

/// The distribution functions PosLab's tests use, all GSL's (`gsl_cdf_*`), none hand-written.
public enum Distributions {
    /// P(T ≤ t) for Student's t with `df` degrees of freedom.
    public static func tCDF(_ t: Double, df: Double) -> Double { gsl_cdf_tdist_P(t, df) }
    /// P(T > t) for Student's t with `df` degrees of freedom (accurate in the far tail).
    public static func tSurvival(_ t: Double, df: Double) -> Double { gsl_cdf_tdist_Q(t, df) }
    /// The t value with P(T ≤ t) = p.
    public static func tQuantile(_ p: Double, df: Double) -> Double { gsl_cdf_tdist_Pinv(p, df) }
    /// Φ(z), the standard normal CDF.
    public static func normalCDF(_ z: Double) -> Double { gsl_cdf_ugaussian_P(z) }
    /// 1 − Φ(z), accurate in the far tail.
    public static func normalSurvival(_ z: Double) -> Double { gsl_cdf_ugaussian_Q(z) }
    /// The z with Φ(z) = p.
    public static func normalQuantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }

    /// Two-sided p of a t statistic: 2·P(T > |t|), at most 1.
    public static func tTwoSided(_ t: Double, df: Double) -> Double { min(1, 2 * tSurvival(abs(t), df: df)) }
    /// Two-sided p of a z statistic: 2·(1 − Φ(|z|)), at most 1.
    public static func normalTwoSided(_ z: Double) -> Double { min(1, 2 * normalSurvival(abs(z))) }
}
