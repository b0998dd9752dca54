using System.Net.Sockets;

namespace Overlay.Core.Tests.Support;

/// <summary>Waits on raw sockets that tests use to act as strangers or hostile peers.</summary>
internal static class SocketWaits
{
    /// <summary>True when the other end closed (or reset) <paramref name="socket"/> within <paramref name="timeout"/>; reads and discards whatever arrives meanwhile.</summary>
    public static async Task<bool> ClosedWithinAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, limit.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
