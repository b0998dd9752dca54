namespace Overlay.Transport;

/// <summary>Told how a batch's bytes leave, one completed write at a time, while the batch is being sent.</summary>
/// <remarks>
/// A batch write can take long — a slow peer, or a small kernel buffer behind an emulated limit — and counting its
/// bytes only once it completes makes a link's rate read zero for whole measurement intervals and then jump.
/// </remarks>
public interface ISendProgress
{
    /// <summary>The next <paramref name="bytes"/> bytes of the batch (in frame order) were handed on (to the kernel, to a pipe).</summary>
    /// <param name="bytes">How many more bytes left.</param>
    void OnWritten(int bytes);
}
