namespace Overlay.Algorithms.Coding;

/// <summary>
/// The widest vectors a GF(2^8) region operation uses. A path handles what is left after its last full vector with
/// the next narrower path, down to the scalar table loop.
/// </summary>
internal enum GaloisFieldVectorWidth
{
    /// <summary>One byte at a time through the 64 KiB product table; the reference the vector paths are tested against.</summary>
    Scalar = 0,

    /// <summary>16-byte vectors: SSSE3 <c>pshufb</c> on x86, <c>tbl</c> on Arm64.</summary>
    Vector128 = 128,

    /// <summary>32-byte vectors: AVX2.</summary>
    Vector256 = 256,

    /// <summary>64-byte vectors: AVX-512BW.</summary>
    Vector512 = 512,
}
