package csvexport

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func TestExportFromStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		account := &domain.Account{Name: "Acme", TimeZone: "Europe/Kyiv", DefaultCountry: "UA"}
		if err := db.CreateAccount(ctx, account); err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		provider := &domain.ProviderConnection{AccountID: account.ID, Kind: "sandbox", Name: "sandbox", Secret: "s"}
		if err := db.CreateProviderConnection(ctx, provider); err != nil {
			t.Fatalf("CreateProviderConnection: %v", err)
		}
		message := &domain.Message{AccountID: account.ID, Name: "Sale", Content: domain.Content{Text: "Hi"}}
		if err := db.CreateMessage(ctx, message); err != nil {
			t.Fatalf("CreateMessage: %v", err)
		}
		campaign := &domain.Campaign{AccountID: account.ID, Name: "Sale", MessageID: message.ID, ProviderID: provider.ID}
		if err := db.CreateCampaign(ctx, campaign); err != nil {
			t.Fatalf("CreateCampaign: %v", err)
		}

		names := []string{`=HYPERLINK("http://x.example","a")`, "Олена, 🎉", "two\nlines"}
		sent := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
		var deliveries []*domain.Delivery
		for i, name := range names {
			contact := &domain.Contact{AccountID: account.ID, Phone: "+38067123456" + string(rune('0'+i)), FirstName: name}
			if err := db.CreateContact(ctx, contact); err != nil {
				t.Fatalf("CreateContact: %v", err)
			}
			deliveries = append(deliveries, &domain.Delivery{
				AccountID: account.ID, CampaignID: campaign.ID, ContactID: contact.ID, ProviderID: provider.ID,
				Status: domain.StatusSent, SentAt: sent,
			})
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertDeliveries(ctx, deliveries) }); err != nil {
			t.Fatalf("InsertDeliveries: %v", err)
		}

		var buf bytes.Buffer
		q := store.ContactQuery{AccountID: account.ID, CampaignID: campaign.ID, Metric: domain.MetricSent, Limit: 2}
		n, err := ExportContacts(ctx, db, q, &buf, Options{})
		if err != nil {
			t.Fatalf("ExportContacts: %v", err)
		}
		if n != int64(len(names)) {
			t.Errorf("ExportContacts wrote %d records, want %d", n, len(names))
		}

		records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), bom))).ReadAll()
		if err != nil {
			t.Fatalf("read exported CSV: %v", err)
		}
		if len(records) != len(names)+1 {
			t.Fatalf("read %d records, want header and %d", len(records), len(names))
		}
		wantFirst := []string{"'" + names[0], names[1], names[2]}
		for i, want := range wantFirst {
			record := records[i+1]
			if got := record[column("first_name")]; got != want {
				t.Errorf("record %d first_name = %q, want %q", i+1, got, want)
			}
			if got := record[column("sent_at")]; got != "2025-03-01T09:30:00Z" {
				t.Errorf("record %d sent_at = %q, want 2025-03-01T09:30:00Z", i+1, got)
			}
			if got := record[column("status")]; got != "sent" {
				t.Errorf("record %d status = %q, want sent", i+1, got)
			}
		}
	})
}
