package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/phone"
)

// Invented names. Most contacts get Ukrainian names in Cyrillic, the rest
// English ones, as in a Ukrainian shop's customer base.
var (
	ukrainianFirstNames = []string{
		"Олена", "Андрій", "Ірина", "Олександр", "Наталія", "Дмитро", "Тетяна", "Сергій", "Оксана", "Максим",
		"Юлія", "Владислав", "Марія", "Богдан", "Анна", "Тарас", "Катерина", "Іван", "Світлана", "Олег",
		"Вікторія", "Роман", "Людмила", "Артем", "Софія", "Назар", "Дарина", "Євген", "Христина", "Василь",
	}
	ukrainianLastNames = []string{
		"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Поліщук",
		"Бойко", "Мельник", "Лисенко", "Руденко", "Савченко", "Петренко", "Мороз", "Павленко", "Клименко",
		"Марченко", "Гончаренко", "Кузьменко", "Романенко", "Левченко", "Семенко", "Данилюк", "Гребенюк",
	}
	englishFirstNames = []string{
		"Emily", "James", "Olivia", "Daniel", "Sophie", "Thomas", "Grace", "Michael", "Chloe", "Andrew",
		"Hannah", "Peter", "Lucy", "George", "Amelia", "Oliver", "Kate", "Samuel", "Alice", "Henry",
	}
	englishLastNames = []string{
		"Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Hughes", "Clarke", "Turner",
		"Parker", "Collins", "Morgan", "Bennett", "Foster", "Harrison", "Mitchell", "Reed", "Carter", "Hayes",
	}
)

// ukrainianMobileCodes are operator codes of Ukrainian mobile numbers that
// libphonenumber accepts as valid: Kyivstar, Vodafone and lifecell.
var ukrainianMobileCodes = []string{"67", "68", "96", "97", "98", "50", "66", "95", "99", "63", "73", "93"}

// contactSpec is one invented contact.
type contactSpec struct {
	domain.Contact
	// unsubscribed contacts are left out of every campaign as inaccessible.
	unsubscribed bool
}

// newContacts invents n contacts with distinct valid +380 mobile numbers.
// Languages split as uk 55%, ru 20%, en 10% and unknown 15%.
func newContacts(rng *rand.Rand, n int) ([]contactSpec, error) {
	contacts := make([]contactSpec, 0, n)
	seen := make(map[string]bool, n)
	for len(contacts) < n {
		raw := "+380" + ukrainianMobileCodes[rng.IntN(len(ukrainianMobileCodes))] + fmt.Sprintf("%07d", rng.IntN(10_000_000))
		normalised, err := phone.Normalize(raw, "UA")
		if err != nil {
			return nil, fmt.Errorf("invented phone %s is invalid: %w", raw, err)
		}
		if seen[normalised] {
			continue
		}
		seen[normalised] = true

		var c contactSpec
		c.Phone = normalised
		if rng.Float64() < 0.8 {
			c.FirstName = pick(rng, ukrainianFirstNames)
			c.LastName = pick(rng, ukrainianLastNames)
		} else {
			c.FirstName = pick(rng, englishFirstNames)
			c.LastName = pick(rng, englishLastNames)
			c.Email = fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(c.FirstName), strings.ToLower(c.LastName), len(contacts))
		}
		switch x := rng.Float64(); {
		case x < 0.55:
			c.Language = "uk"
		case x < 0.75:
			c.Language = "ru"
		case x < 0.85:
			c.Language = "en"
		}
		c.unsubscribed = rng.Float64() < 0.015
		contacts = append(contacts, c)
	}
	return contacts, nil
}

func pick(rng *rand.Rand, names []string) string { return names[rng.IntN(len(names))] }

// campaignSpec is one demo campaign with its message.
type campaignSpec struct {
	name      string
	tags      []string
	daysAgo   int
	startHour int
	ttl       time.Duration
	// audience is the share of contacts the campaign goes to.
	audience float64
	// overPlanLimit and annoyanceLimit are shares of the audience left out
	// for those reasons.
	overPlanLimit  float64
	annoyanceLimit float64
	// duplicates is how many contacts appear twice in the audience.
	duplicates int

	messageName string
	slug        string
	// texts holds the message text per language: uk, en and ru.
	texts    map[string]string
	captions map[string]string
}

var languages = []string{"uk", "en", "ru"}

// campaignSpecs are the demo campaigns, oldest first. The newest starts two
// days ago, so that with the longest TTL of a day every simulated event lies
// in the past.
var campaignSpecs = []campaignSpec{
	{
		name: "Spring sale −20%", tags: []string{"promo", "sale"}, daysAgo: 14, startHour: 10, ttl: 24 * time.Hour,
		audience: 1, duplicates: 12,
		messageName: "Spring sale", slug: "spring-sale",
		texts: map[string]string{
			"uk": "Весняний розпродаж! −20% на весь асортимент до неділі. Встигніть обрати своє 🌷",
			"en": "Spring sale! 20% off everything until Sunday. Pick your favourites 🌷",
			"ru": "Весенняя распродажа! −20% на весь ассортимент до воскресенья 🌷",
		},
		captions: map[string]string{"uk": "До розпродажу", "en": "Shop the sale", "ru": "К распродаже"},
	},
	{
		name: "New arrivals: sneakers", tags: []string{"promo", "new"}, daysAgo: 10, startHour: 12, ttl: 12 * time.Hour,
		audience:    0.7,
		messageName: "New sneakers", slug: "new-sneakers",
		texts: map[string]string{
			"uk": "Нова колекція кросівок уже в магазині. Подивіться першими 👟",
			"en": "The new sneaker collection has arrived. Be the first to see it 👟",
			"ru": "Новая коллекция кроссовок уже в магазине. Посмотрите первыми 👟",
		},
		captions: map[string]string{"uk": "Дивитися", "en": "See the collection", "ru": "Смотреть"},
	},
	{
		name: "Loyalty: double bonus points", tags: []string{"loyalty"}, daysAgo: 7, startHour: 11, ttl: 24 * time.Hour,
		audience: 0.5, annoyanceLimit: 0.03,
		messageName: "Double bonus points", slug: "double-bonus",
		texts: map[string]string{
			"uk": "Лише цього тижня — подвійні бонусні бали за кожну покупку.",
			"en": "This week only: double bonus points on every purchase.",
			"ru": "Только на этой неделе — двойные бонусные баллы за каждую покупку.",
		},
		captions: map[string]string{"uk": "Мої бали", "en": "My points", "ru": "Мои баллы"},
	},
	{
		name: "Weekend flash sale", tags: []string{"promo", "sale", "weekend"}, daysAgo: 4, startHour: 18, ttl: 6 * time.Hour,
		audience: 0.8, annoyanceLimit: 0.04,
		messageName: "Flash sale", slug: "flash-sale",
		texts: map[string]string{
			"uk": "Флеш-розпродаж лише 6 годин: знижки до −50% ⚡",
			"en": "Flash sale for 6 hours only: up to 50% off ⚡",
			"ru": "Флеш-распродажа всего 6 часов: скидки до −50% ⚡",
		},
		captions: map[string]string{"uk": "Купити зараз", "en": "Buy now", "ru": "Купить сейчас"},
	},
	{
		name: "Order feedback survey", tags: []string{"service"}, daysAgo: 2, startHour: 15, ttl: 24 * time.Hour,
		audience: 0.4, overPlanLimit: 0.06,
		messageName: "Feedback survey", slug: "feedback",
		texts: map[string]string{
			"uk": "Як вам останнє замовлення? Відповідь займе хвилину, а ми подаруємо 50 бонусів.",
			"en": "How was your last order? It takes a minute, and we will add 50 bonus points.",
			"ru": "Как вам последний заказ? Ответ займёт минуту, а мы подарим 50 бонусов.",
		},
		captions: map[string]string{"uk": "Відповісти", "en": "Answer", "ru": "Ответить"},
	},
}

// messageRequest returns the JSON body that creates the campaign's message.
// The default content is the English version, which contacts of unknown
// language get. The image is one the service itself serves at baseURL, so
// previews load without reaching any other host.
func (c *campaignSpec) messageRequest(baseURL string) map[string]any {
	image := baseURL + "/static/demo/" + c.slug + ".svg"
	versions := make([]map[string]any, 0, len(languages))
	for _, lang := range languages {
		versions = append(versions, map[string]any{
			"language":       lang,
			"text":           c.texts[lang],
			"image_url":      image,
			"button_caption": c.captions[lang],
			"button_url":     c.buttonURL(lang),
		})
	}
	return map[string]any{
		"name":           c.messageName,
		"text":           c.texts["en"],
		"image_url":      image,
		"button_caption": c.captions["en"],
		"button_url":     c.buttonURL("en"),
		"ttl_seconds":    int64(c.ttl / time.Second),
		"tags":           c.tags,
		"versions":       versions,
	}
}

func (c *campaignSpec) buttonURL(lang string) string {
	return "https://shop.example.com/" + lang + "/" + c.slug + "?utm_source=viber&utm_campaign=" + c.slug
}

// startTime returns when the campaign started sending: startHour o'clock in
// loc, daysAgo days before now.
func (c *campaignSpec) startTime(now time.Time, loc *time.Location) time.Time {
	day := now.In(loc).AddDate(0, 0, -c.daysAgo)
	return time.Date(day.Year(), day.Month(), day.Day(), c.startHour, 0, 0, 0, loc)
}
