using NUnit.Framework;
using Overlay.Engine;

namespace Overlay.Core.Tests.Engine;

public class LoopGateTests
{
    [Test]
    public void NewGate_BelongsToTheLoopTask_NobodyCanBorrowIt()
    {
        var gate = new LoopGate();
        Assert.That(gate.TryBorrow(), Is.False);
        Assert.That(gate.IsParked, Is.False);
    }

    [Test]
    public void ParkedGate_LendsItselfToOneBorrowerAtATime()
    {
        var gate = ParkedGate();
        Assert.That(gate.TryBorrow(), Is.True);
        Assert.That(gate.IsBorrowed, Is.True);
        Assert.That(gate.TryBorrow(), Is.False, "a second borrower got the loop");
        Assert.That(gate.TryReturn(), Is.True);
        Assert.That(gate.IsParked, Is.True);
        Assert.That(gate.TryBorrow(), Is.True);
    }

    [Test]
    public void WakeWhileBorrowed_MakesTheBorrowerLookOnceMore()
    {
        var gate = ParkedGate();
        Assert.That(gate.TryBorrow(), Is.True);
        gate.Wake();
        Assert.That(gate.TryReturn(), Is.False, "the wake-up was lost");
        Assert.That(gate.IsBorrowed, Is.True, "the borrower must still hold the loop");
        Assert.That(gate.TryReturn(), Is.True);
    }

    [Test]
    public async Task WakeWhileParked_HandsTheLoopToTheLoopTask()
    {
        var gate = ParkedGate();
        var wait = gate.WaitUntilHandedBackAsync();
        Assert.That(wait.IsCompleted, Is.False);
        gate.Wake();
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(gate.TryBorrow(), Is.False, "the loop task holds the loop again");
    }

    [Test]
    public async Task HandOver_WakesTheLoopTask()
    {
        var gate = ParkedGate();
        var wait = gate.WaitUntilHandedBackAsync();
        Assert.That(gate.TryBorrow(), Is.True);
        gate.HandOver();
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(gate.IsBorrowed, Is.False);
        Assert.That(gate.TryBorrow(), Is.False);
    }

    [Test]
    public void WakeDuringTheLastLook_KeepsTheLoopTaskRunning()
    {
        var gate = new LoopGate();
        gate.BeginCheck();
        gate.Wake();
        Assert.That(gate.TryPark(), Is.False, "the loop task parked although work came");
        Assert.That(gate.TryBorrow(), Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task LoopTaskAndBorrowers_NeverHoldTheLoopTogether_AndNoWakeUpIsLost()
    {
        var gate = new LoopGate();
        var inside = 0;
        var overlaps = 0;
        var work = 0; // items "posted": each is taken by whoever holds the loop
        var taken = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        void Hold()
        {
            if (Interlocked.Increment(ref inside) != 1)
                Interlocked.Increment(ref overlaps);
            while (Volatile.Read(ref work) > 0)
            {
                Interlocked.Decrement(ref work);
                taken++;
            }

            Interlocked.Decrement(ref inside);
        }

        var done = 0; // set once no borrower posts any more
        var loopTask = Task.Run(async () =>
        {
            while (true)
            {
                Hold();
                gate.BeginCheck();
                if (Volatile.Read(ref work) > 0)
                {
                    gate.KeepRunning();
                    continue;
                }

                if (Volatile.Read(ref done) != 0)
                    break;
                if (!gate.TryPark())
                    continue;
                await gate.WaitUntilHandedBackAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
        });

        var posted = 0;
        var borrowers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref work);
                Interlocked.Increment(ref posted);
                if (!gate.TryBorrow())
                {
                    gate.Wake();
                    continue;
                }

                do
                {
                    Hold();
                }
                while (!gate.TryReturn());
            }
        })).ToArray();

        await Task.WhenAll(borrowers);
        Volatile.Write(ref done, 1);
        gate.Wake();
        await loopTask.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(overlaps, Is.Zero);
        Assert.That(Volatile.Read(ref work), Is.Zero, "an item was left behind: a wake-up was lost");
        Assert.That(taken, Is.EqualTo(posted));
        TestContext.Out.WriteLine($"{posted} items");
    }

    private static LoopGate ParkedGate()
    {
        var gate = new LoopGate();
        gate.BeginCheck();
        Assert.That(gate.TryPark(), Is.True);
        return gate;
    }
}
