using Overlay.Runtime;

namespace Overlay.Engine;

/// <summary>
/// Decides who runs a node's logical thread: its loop task, or — while the loop task sleeps — an I/O loop that
/// borrows it to run the switch inline, which saves the two thread-pool hand-offs of waking the loop task and
/// being woken back by it. Exactly one of them holds the loop at any moment.
/// </summary>
/// <remarks>
/// <para>States and who moves between them:</para>
/// <list type="bullet">
/// <item><c>Running</c>: the loop task holds the loop. Only it leaves this state (to <c>Checking</c>).</item>
/// <item><c>Checking</c>: the loop task still holds the loop and looks for work once more before it parks;
/// <see cref="Wake"/> moves it back to <c>Running</c>, and then the loop task does not park.</item>
/// <item><c>Parked</c>: nobody holds the loop. <see cref="Wake"/> hands it to the loop task (and signals it);
/// <see cref="TryBorrow"/> gives it to an I/O loop. The two compete by compare-and-swap, so only one wins.</item>
/// <item><c>Borrowed</c>: an I/O loop holds the loop. <see cref="Wake"/> only marks <c>BorrowedWoken</c>, so the
/// borrower looks once more before it gives the loop back.</item>
/// </list>
/// <para>Every transition is an interlocked operation, a full fence, so whatever the previous holder wrote is
/// visible to the next one.</para>
/// </remarks>
/// <param name="scheduler">Where the loop task resumes when the loop is handed back (its world's scheduler).</param>
internal sealed class LoopGate(OverlayScheduler? scheduler = null)
{
    private const int Running = 0;
    private const int Checking = 1;
    private const int Parked = 2;
    private const int Borrowed = 3;
    private const int BorrowedWoken = 4;

    private readonly AsyncSignal _handedBack = new(scheduler);
    private int _state; // Running: the loop task holds the loop from its start until it first parks

    /// <summary>True while an I/O loop holds the loop (for tests and assertions).</summary>
    public bool IsBorrowed => Volatile.Read(ref _state) is Borrowed or BorrowedWoken;

    /// <summary>True while the loop task sleeps and nobody holds the loop.</summary>
    public bool IsParked => Volatile.Read(ref _state) == Parked;

    /// <summary>
    /// Says that there is new work (an item in a buffer or the inbox). Call it after the work is visible: whoever
    /// holds the loop then looks at least once more, and a parked loop task is woken.
    /// </summary>
    public void Wake()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            switch (state)
            {
                case Running:
                case BorrowedWoken:
                    return;
                case Checking:
                    if (Interlocked.CompareExchange(ref _state, Running, Checking) == Checking)
                        return;
                    break;
                case Parked:
                    if (Interlocked.CompareExchange(ref _state, Running, Parked) == Parked)
                    {
                        _handedBack.Set();
                        return;
                    }

                    break;
                default:
                    if (Interlocked.CompareExchange(ref _state, BorrowedWoken, Borrowed) == Borrowed)
                        return;
                    break;
            }
        }
    }

    /// <summary>Loop task: it is about to look for work a last time before parking.</summary>
    public void BeginCheck() => Interlocked.Exchange(ref _state, Checking);

    /// <summary>Loop task: the last look found work, so it keeps running.</summary>
    public void KeepRunning() => Interlocked.Exchange(ref _state, Running);

    /// <summary>Loop task: parks. False when a <see cref="Wake"/> came during the last look: run on instead.</summary>
    public bool TryPark() => Interlocked.CompareExchange(ref _state, Parked, Checking) == Checking;

    /// <summary>Loop task, after <see cref="TryPark"/>: completes when the loop is handed back to it.</summary>
    public ValueTask WaitUntilHandedBackAsync() => _handedBack.WaitAsync();

    /// <summary>I/O loop: takes the loop if the loop task is parked. True means the caller now holds it.</summary>
    public bool TryBorrow() => Interlocked.CompareExchange(ref _state, Borrowed, Parked) == Parked;

    /// <summary>
    /// Borrower: gives the loop back. False when a <see cref="Wake"/> came while it held the loop; it still holds
    /// it then, and must look for work once more before trying again.
    /// </summary>
    public bool TryReturn()
    {
        if (Interlocked.CompareExchange(ref _state, Parked, Borrowed) == Borrowed)
            return true;

        // BorrowedWoken: nobody but the borrower moves out of it.
        Interlocked.Exchange(ref _state, Borrowed);
        return false;
    }

    /// <summary>Borrower: passes the loop to the loop task, which goes on with the work left.</summary>
    public void HandOver()
    {
        Interlocked.Exchange(ref _state, Running);
        _handedBack.Set();
    }
}
